import Foundation
import SyncAgentHarness
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

    @Test func sharedGroupMeasuresAgentsOnItsOwnPostgreSQLBesideTheJournalAndCleansUp() async throws {
        let before = Set(
            try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("sbench-pg") })
        let result = try await RunningProcess.run(
            Products.path("sync-bench"), ["--quick", "--json", "--only", "shared"])
        #expect(result.status == 0, "\(result)")
        let json = try JSON.parse(result.stdout)
        let figures = [
            "shared_wake_p50_ms", "shared_wake_p99_ms", "shared_changes_s", "shared_wake_journal_p50_ms",
            "shared_journal_changes_s",
        ]
        for figure in figures {
            #expect(json[figure]?.typeName == "number", "\(figure) missing in \(result.stdout)")
        }
        #expect(json["goals"]?["shared_changes_s"]?["met"] != nil)
        let after = Set(
            try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("sbench-pg") })
        #expect(after.subtracting(before).isEmpty, "the bench's PostgreSQL directory was left: \(after)")
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

    @Test func peersTablePutsS6BesideUsAndTheStatedLoops() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("speers-") })
        let result = try await RunningProcess.run(
            Products.path("sync-bench"),
            ["--peers", "--quick", "--peers-samples", "2", "--output", directory.file("peers.json")])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("sync-bench --peers: 1 run(s), 2 samples per measured row") == true)
        let rows = [
            ("s6: s6-supervise, s6-svwait -U", "notification-fd 3"),
            ("sync-agent (journal): syncctl start", "complete on a kept connection"),
            ("sync-agent --ephemeral: syncctl start", "complete on a kept connection"),
            ("sync-agent (journal): syncctl start", "READY=1 to syncctl run --ready notify"),
            ("until CHECK; do sleep 1; done / wait-for-it", "a check every 1.00 s (stated)"),
            ("coder's start (poll)", "a check every 1.00 s (stated)"),
            ("docker compose healthcheck", "a check every 30.0 s (stated)"),
        ]
        for (peer, signal) in rows {
            let found = lines.contains { $0.hasPrefix(peer) && $0.contains(signal) }
            #expect(found, "no row \(peer) / \(signal) in \(result.stdout)")
        }
        let json = try JSON.parse(String(contentsOfFile: directory.file("peers.json"), encoding: .utf8))
        for figure in [
            "peers_s6_p50_ms", "peers_s6_p99_ms", "peers_s6_waiter_cpu_ms", "peers_complete_p50_ms",
            "peers_complete_vs_s6_p50", "peers_complete_vs_s6_p99", "peers_notify_vs_s6_p50",
            "peers_complete_ephemeral_p50_ms", "peers_compose_p50_ms",
        ] {
            #expect(json[figure]?.typeName == "number", "\(figure) missing")
        }
        #expect(json["peers_compose_p50_ms"] == .double(15000) || json["peers_compose_p50_ms"] == .int(15000))
        #expect(json["goals"]?["peers_complete_vs_s6_p50"]?["met"] != nil)
        // The bench removed the s6 service directories it made.
        let left = try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("speers-") }
        #expect(Set(left).isSubset(of: before), "left behind: \(left)")
    }

    @Test func anUnknownGroupIsAUsageError() async throws {
        let result = try await RunningProcess.run(Products.path("sync-bench"), ["--only", "nonsense"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown group(s): nonsense"))
    }
}
