import Foundation
import SyncProtocol
import SyncTestSupport
import Testing

/// `sync-bench` runs and reports every figure it was asked for. A smoke check only: it never looks at the
/// numbers, which depend on the machine (the figures and their goals are in docs/BENCHMARKS.md).
@Suite("sync-bench smoke")
struct BenchSmokeTests {
    @Test func quickRunPrintsOneJSONObjectWithTheFigures() async throws {
        let result = try await RunningProcess.run(
            Products.path("sync-bench"), ["--quick", "--json", "--only", "wake,cli"])
        #expect(result.status == 0, "\(result)")
        let json = try JSON.parse(result.stdout)
        for figure in ["wake_p50_us", "wake_p99_us", "cli_roundtrip_ms", "cli_vs_true_ratio"] {
            #expect(json[figure]?.typeName == "number", "\(figure) missing in \(result.stdout)")
        }
        #expect(json["mode"] == "quick")
        #expect(json["goals"]?["wake_p50_us"]?["met"] != nil)
    }

    @Test func scalingChecksReportARatioPerRequest() async throws {
        let result = try await RunningProcess.run(
            Products.path("sync-bench"), ["--quick", "--json", "--scaling", "--scaling-size", "50"])
        #expect(result.status == 0, "\(result)")
        let json = try JSON.parse(result.stdout)
        for check in ["want_batch", "want_single", "fanin", "chain_fail", "list", "snapshot", "replay"] {
            let figure = "scaling_\(check)_ratio"
            #expect(json[figure]?.typeName == "number", "\(figure) missing in \(result.stdout)")
            #expect(json["goals"]?[figure]?["met"] != nil)
        }
    }

    @Test func readinessReportsEachKindBesideWaitForItAndCompose() async throws {
        let result = try await RunningProcess.run(
            Products.path("sync-bench"),
            ["--quick", "--json", "--only", "readiness", "--readiness-cpu-seconds", "0.5"])
        #expect(result.status == 0, "\(result)")
        let json = try JSON.parse(result.stdout)
        let figures = [
            "readiness_file_p50_ms", "readiness_tcp_p50_ms", "readiness_tcp_p99_ms", "readiness_http_p50_ms",
            "readiness_http_p99_ms", "readiness_waitforit_p50_ms", "readiness_compose_p50_ms", "readiness_cpu_pct",
        ]
        for figure in figures {
            #expect(json[figure]?.typeName == "number", "\(figure) missing in \(result.stdout)")
        }
        #expect(json["goals"]?["readiness_tcp_p50_ms"]?["met"] != nil)
    }

    @Test func anUnknownGroupIsAUsageError() async throws {
        let result = try await RunningProcess.run(Products.path("sync-bench"), ["--only", "nonsense"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown group(s): nonsense"))
    }
}
