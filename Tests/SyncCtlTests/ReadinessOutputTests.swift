import SyncCore
import SyncProtocol
import SyncReports
import Testing

@testable import SyncCtl

/// How `status`, `list -o json`, `why` and `watch` show a service's readiness; without a report they print what they
/// printed before (`OutputFormattingTests` and the goldens check those).
@Suite struct ReadinessOutputTests {
    static let start = Timestamp(microseconds: 1_700_000_000_000_000)
    static let waiting = ReadinessReport(checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused")
    static let starting = UnitInfo(
        name: "db", status: .started, isReady: true, registeredAt: start, since: start,
        readiness: UnitReadiness(report: waiting, startedAt: start))
    static let ready = UnitInfo(
        name: "db", status: .completed, isReady: true, registeredAt: start,
        since: Timestamp(microseconds: start.rawValue + 1_400_000),
        readiness: UnitReadiness(report: waiting, startedAt: start))

    static func report(_ info: UnitInfo) -> UnitStatusReport {
        UnitStatusReport(unit: "db", info: info, isReady: true, dependencies: [], dependents: [])
    }

    @Test func statusTableSaysWhatTheServiceWaitsForThenHowLongItTook() {
        #expect(
            Status.table(Self.report(Self.starting), unit: "db", columns: Status.columns)
                == "Unit: db\nStatus: started\nReady: true\n"
                + "Readiness: waiting for tcp:127.0.0.1:5432 (attempt 12: connection refused)\n\nDependencies:\n"
                + "No dependencies found\n")
        #expect(
            Status.table(Self.report(Self.ready), unit: "db", columns: Status.columns)
                .contains("\nReadiness: ready after 1.4s (tcp:127.0.0.1:5432)\n\nDependencies:\n"))
        var failed = Self.starting
        failed.status = .failed
        #expect(
            ReadinessText.describe(failed)
                == "not ready: waiting for tcp:127.0.0.1:5432 (attempt 12: connection refused)")
        var passed = Self.starting
        passed.readiness?.report = ReadinessReport(checks: [], attempts: 3, result: nil)
        #expect(ReadinessText.describe(passed) == "every check passed")
        passed.readiness?.report = ReadinessReport(checks: ["notify"], attempts: 0, result: nil)
        #expect(ReadinessText.describe(passed) == "waiting for notify")
    }

    @Test func statusAndListJSONCarryTheReportLastOnlyWhenSet() {
        let readiness =
            #""readiness":{"checks":["tcp:127.0.0.1:5432"],"attempts":12,"result":"connection refused","#
            + #""started_us":1700000000000000}"#
        #expect(
            Status.json(Self.report(Self.starting)).compact
                == #"{"unit_name":"db","status":"started","is_ready":true,"dependencies":[],"# + readiness + "}")
        #expect(
            List.json([Self.starting]).compact
                == #"[{"unit_name":"db","status":"started","is_ready":true,"# + readiness + "}]")
        var plain = Self.starting
        plain.readiness = nil
        #expect(List.json([plain]).compact == #"[{"unit_name":"db","status":"started","is_ready":true}]"#)
    }

    @Test func whyShowsTheReadinessBesideTheUnit() throws {
        var graph = UnitGraph(clock: { Self.start })
        _ = try graph.start("db", wait: nil)
        try graph.reportReadiness("db", Self.waiting)
        try graph.note("db", "starting")
        try graph.want("app", dependsOn: "db")
        let report = WhyReport(unit: "app", graph: graph)
        #expect(
            Why.text(report.root, now: Self.start) == """
                app: pending for 0ms, waiting for 1 dependency
                └── db: started 0ms ago, running; waiting for tcp:127.0.0.1:5432 (attempt 12: connection refused); \
                note: "starting"

                """)
        let db = Why.json(report.root, now: Self.start)["waiting_on"]?.arrayValue?.first
        #expect(db?["readiness"] == "waiting for tcp:127.0.0.1:5432 (attempt 12: connection refused)")
        #expect(Why.json(report.root, now: Self.start)["readiness"] == nil)
    }

    @Test func watchShowsOneLinePerReport() {
        func line(_ report: ReadinessReport) -> String {
            Watch.text(SyncEvent(sequence: 3, time: Self.start, kind: .readiness(unit: "db", report)), offset: 0)
        }
        #expect(
            line(Self.waiting).hasSuffix(
                #"#3  db  readiness: waits for [tcp:127.0.0.1:5432], attempt 12 ("connection refused")"#))
        #expect(
            line(ReadinessReport(checks: [], attempts: 4, result: nil)).hasSuffix(
                "#3  db  readiness: every check passed, attempt 4"))
    }
}
