import Testing

@testable import SyncCore

/// Two graphs sharing one log, as two agents on one shared store: what one records, the other applies with
/// `applyForeign`, and its own waits follow.
struct ForeignEventTests {
    /// Applies what `from` recorded since the last drain to `to`. - Returns: the events.
    @discardableResult
    private func share(_ from: inout UnitGraph, to: inout UnitGraph) -> [SyncEvent] {
        let events = from.drainEvents()
        for event in events { to.applyForeign(event) }
        return events
    }

    @Test func aCompletionElsewhereResolvesACompletionWaitHereWithoutAnEvent() throws {
        var a = fixedGraph()
        var b = fixedGraph()
        try a.want("app", dependsOn: "db")
        share(&a, to: &b)
        #expect(try b.awaitCompletion(of: ["db"], wait: WaitID(1)) == .parked(remaining: ["db"]))
        _ = try a.start("db", wait: nil)
        try a.complete("db")
        share(&a, to: &b)
        #expect(b.drainResolutions().map(\.id) == [WaitID(1)])
        #expect(b.drainEvents().isEmpty)
        #expect(b.snapshot == a.snapshot)
        #expect(b.nextSequence == a.nextSequence)
    }

    @Test func aParkedStartMadeReadyElsewhereStartsOnlyWhenSettled() throws {
        var a = fixedGraph()
        var b = fixedGraph()
        try a.want("app", dependsOn: "db")
        share(&a, to: &b)
        guard case .parked = try b.start("app", wait: WaitID(7)) else {
            Issue.record("the start did not park")
            return
        }
        share(&b, to: &a)
        _ = try a.start("db", wait: nil)
        try a.complete("db")
        share(&a, to: &b)
        #expect(b.hasForeignStarts)
        #expect(b.drainResolutions().isEmpty)
        b.settleForeignStarts()
        #expect(!b.hasForeignStarts)
        #expect(b.drainResolutions().map(\.id) == [WaitID(7)])
        #expect(b.status(of: "app") == .started)
        let recorded = share(&b, to: &a)
        #expect(recorded.first?.sequence == a.nextSequence - UInt64(recorded.count))
        #expect(a.status(of: "app") == .started)
    }

    @Test func aUnitStartedElsewhereRefusesTheParkedStartsHere() throws {
        var a = fixedGraph()
        var b = fixedGraph()
        try a.want("app", dependsOn: "db")
        share(&a, to: &b)
        _ = try b.start("app", wait: WaitID(3))
        share(&b, to: &a)
        _ = try a.start("db", wait: nil)
        try a.complete("db")
        // a's start of app wins before b settles.
        _ = try a.start("app", wait: nil)
        share(&a, to: &b)
        b.settleForeignStarts()
        let resolutions = b.drainResolutions()
        #expect(resolutions.count == 1)
        guard case .failure(let error) = resolutions.first?.result else {
            Issue.record("the parked start was not refused")
            return
        }
        #expect(error.code == .sameStatus)
    }

    @Test func aFailureElsewhereReleasesParkedStartsHereWithTheChain() throws {
        var a = fixedGraph()
        var b = fixedGraph()
        try a.want("app", dependsOn: "db")
        share(&a, to: &b)
        _ = try b.start("app", wait: WaitID(2))
        share(&b, to: &a)
        try a.fail("db", reason: "disk full")
        share(&a, to: &b)
        b.settleForeignStarts()
        guard case .failure(let error) = b.drainResolutions().first?.result else {
            Issue.record("the parked start was not released")
            return
        }
        #expect(error.code == .dependencyFailed)
        #expect(error.message.contains("disk full"), "\(error.message)")
    }

    @Test func discardedEventsGiveTheirNumbersBack() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        _ = graph.drainEvents()
        let next = graph.nextSequence
        _ = try graph.start("app", wait: WaitID(1))
        graph.discardPendingEvents()
        #expect(graph.nextSequence == next)
        #expect(graph.drainEvents().isEmpty)
    }
}
