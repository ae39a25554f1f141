import Testing

@testable import SyncCore

/// `readiness`: what a started service still waits for, kept with the unit until it is started again.
struct ReadinessTests {
    static let waiting = ReadinessReport(
        checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused")

    @Test func aReportIsKeptWithTheStartedUnitAndRecordedAsAnEvent() throws {
        var graph = tickingGraph()
        try graph.startNow("db")
        let startedAt = try #require(graph.info("db")?.since)
        _ = graph.drainEvents()
        try graph.reportReadiness("db", Self.waiting)
        #expect(graph.info("db")?.readiness == UnitReadiness(report: Self.waiting, startedAt: startedAt))
        #expect(graph.status(of: "db") == .started)
        #expect(graph.drainEvents().map(\.kind) == [.readiness(unit: "db", Self.waiting)])
    }

    @Test func theReportStaysThroughCompletionAndFailureUntilTheUnitStartsAgain() throws {
        var graph = tickingGraph()
        try graph.startNow("db")
        let startedAt = try #require(graph.info("db")?.since)
        try graph.reportReadiness("db", Self.waiting)
        try graph.complete("db")
        let info = try #require(graph.info("db"))
        #expect(info.readiness?.report == Self.waiting)
        // Ready after: from the start to the completion.
        #expect(info.readiness?.startedAt == startedAt)
        #expect(info.since > startedAt)
        try graph.startNow("db")
        #expect(graph.info("db")?.readiness == nil)
        try graph.reportReadiness("db", Self.waiting)
        try graph.fail("db", reason: "not ready after 2m")
        #expect(graph.info("db")?.readiness?.report == Self.waiting)
        try graph.startNow("db")
        #expect(graph.info("db")?.readiness == nil)
    }

    @Test func theSameReportAgainRecordsNothing() throws {
        var graph = fixedGraph()
        try graph.startNow("db")
        try graph.reportReadiness("db", Self.waiting)
        _ = graph.drainEvents()
        try graph.reportReadiness("db", Self.waiting)
        #expect(graph.drainEvents().isEmpty)
        var next = Self.waiting
        next.attempts += 1
        try graph.reportReadiness("db", next)
        #expect(graph.drainEvents().count == 1)
    }

    @Test func aReportOnAnUnknownUnitIsRefusedAndRegistersNothing() {
        var graph = fixedGraph()
        let message = #"cannot report readiness of unit "db": unit "db" must be registered first: unit not found"#
        #expect(throws: SyncError(.notRegistered, message)) { try graph.reportReadiness("db", Self.waiting) }
        #expect(graph.isRegistered("db") == false)
        #expect(graph.drainEvents().isEmpty)
        #expect(throws: SyncError.self) { try graph.reportReadiness("", Self.waiting) }
    }

    @Test(arguments: [UnitStatus.pending, .completed, .failed])
    func aReportOnAUnitThatIsNotStartedIsRefused(status: UnitStatus) throws {
        var graph = fixedGraph()
        try graph.want("db", dependsOn: "x")
        switch status {
        case .completed:
            try graph.complete("db")
        case .failed:
            try graph.fail("db", reason: nil)
        default:
            break
        }
        _ = graph.drainEvents()
        let error = #expect(throws: SyncError.self) { try graph.reportReadiness("db", Self.waiting) }
        #expect(error?.code == .notStarted)
        #expect(
            error?.message
                == #"cannot report readiness of unit "db": unit "db" is \#(status.rawValue), not started: a "#
                + "readiness report describes a service being started, so start the unit first (syncctl run and "
                + "syncctl ready do)")
        #expect(graph.info("db")?.readiness == nil)
        #expect(graph.drainEvents().isEmpty)
    }

    @Test func textsAreOneLineAndCutAndChecksAreCounted() throws {
        var graph = fixedGraph()
        try graph.startNow("db")
        let checks = (1...40).map { "tcp:\($0)" }
        let long = String(repeating: "é", count: 300)
        try graph.reportReadiness(
            "db", ReadinessReport(checks: ["cmd:a\nb"] + checks, attempts: -3, result: long + "\n"))
        let report = try #require(graph.info("db")?.readiness?.report)
        #expect(report.checks.count == UnitGraph.maxReadinessChecks)
        #expect(report.checks.first == "cmd:a b")
        #expect(report.checks[UnitGraph.maxReadinessChecks - 2] == "tcp:14")
        #expect(report.checks.last == "… 26 more")
        #expect(report.attempts == 0)
        let result = try #require(report.result)
        #expect(result.utf8.count <= UnitGraph.maxNoteBytes && result.hasSuffix("…") && !result.contains("\n"))
    }

    @Test func replayAndSnapshotsKeepTheReport() throws {
        var graph = tickingGraph()
        try graph.startNow("db")
        try graph.startNow("web")
        try graph.reportReadiness("db", Self.waiting)
        try graph.reportReadiness("web", ReadinessReport(checks: [], attempts: 3, result: nil))
        try graph.complete("web")
        var mirror = fixedGraph()
        for event in graph.drainEvents() { mirror.replay(event) }
        #expect(mirror.snapshot == graph.snapshot)
        #expect(mirror.info("db")?.readiness?.report == Self.waiting)
        let loaded = UnitGraph(snapshot: graph.snapshot, clock: { fixedTime })
        #expect(loaded.snapshot == graph.snapshot)
        #expect(loaded.info("web")?.readiness == graph.info("web")?.readiness)
        #expect(loaded.info("web")?.readiness != nil)
    }
}
