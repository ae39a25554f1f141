import Testing

@testable import SyncCore

/// `awaitCompletion` (behind `syncctl wait`): parked until every unit is completed, released at once by a failure.
struct CompletionWaitTests {
    @Test func doneAtOnceWhenEveryUnitIsCompleted() throws {
        var graph = fixedGraph()
        try graph.run("b")
        try graph.run("a")
        _ = graph.drainEvents()
        let outcome = try graph.awaitCompletion(of: ["b", "a", "b"], wait: WaitID(1))
        #expect(outcome == .done(units: ["a", "b"]))
        #expect(graph.endWait(WaitID(1), outcome: .cancelled) == false)
        #expect(graph.drainEvents() == [])
    }

    @Test func parkedThenResolvedByCompletes() throws {
        var graph = fixedGraph()
        try graph.run("a")
        let outcome = try graph.awaitCompletion(of: ["c", "a", "later"], wait: WaitID(5))
        #expect(outcome == .parked(remaining: ["c", "later"]))

        try graph.run("c")
        #expect(graph.drainResolutions() == [])
        try graph.startNow("later")
        #expect(graph.drainResolutions() == [])
        try graph.complete("later")
        #expect(
            graph.drainResolutions() == [
                WaitResolution(id: WaitID(5), result: .success(.completed(units: ["a", "c", "later"])))
            ])
        try graph.startNow("a")
        try graph.complete("a")
        #expect(graph.drainResolutions() == [])
    }

    @Test func aUnitStartedAgainMustCompleteAgain() throws {
        var graph = fixedGraph()
        let outcome = try graph.awaitCompletion(of: ["a", "b"], wait: WaitID(1))
        #expect(outcome == .parked(remaining: ["a", "b"]))
        try graph.run("a")
        try graph.startNow("a")
        try graph.run("b")
        #expect(graph.drainResolutions() == [])
        try graph.complete("a")
        #expect(graph.drainResolutions().map(\.completedUnits) == [["a", "b"]])
    }

    @Test func severalWaitsOnOneUnitAreAllResolved() throws {
        var graph = fixedGraph()
        _ = try graph.awaitCompletion(of: ["a"], wait: WaitID(2))
        _ = try graph.awaitCompletion(of: ["a", "b"], wait: WaitID(1))
        _ = try graph.awaitCompletion(of: ["a"], wait: WaitID(3))
        try graph.run("a")
        #expect(graph.drainResolutions().map(\.id) == [WaitID(2), WaitID(3)])
        try graph.run("b")
        #expect(graph.drainResolutions().map(\.id) == [WaitID(1)])
    }

    @Test func failureOfOneUnitReleasesItNamingTheCulprit() throws {
        var graph = fixedGraph()
        _ = try graph.awaitCompletion(of: ["a", "b"], wait: WaitID(1))
        try graph.run("a")
        try graph.fail("b", reason: "boom")
        let cause = FailureCause(root: "b", reason: "boom", chain: ["b"])
        #expect(
            graph.drainResolutions() == [
                WaitResolution(
                    id: WaitID(1), result: .failure(SyncError(.unitFailed, #"b failed ("boom")"#, cause: cause)))
            ])
        try graph.startNow("b")
        try graph.complete("b")
        #expect(graph.drainResolutions() == [])
    }

    @Test func skippedUnitReleasesItWithTheChain() throws {
        var graph = fixedGraph()
        try graph.want("c", dependsOn: "a")
        _ = try graph.awaitCompletion(of: ["c"], wait: WaitID(1))
        try graph.fail("a", reason: "exit 3")
        let cause = FailureCause(root: "a", reason: "exit 3", chain: ["a", "c"])
        let message = #"c was skipped: a failed ("exit 3"), via a -> c"#
        #expect(
            graph.drainResolutions() == [
                WaitResolution(id: WaitID(1), result: .failure(SyncError(.unitFailed, message, cause: cause)))
            ])
    }

    @Test func waitOnAUnitThatAlreadyFailedIsRefusedAtOnce() throws {
        var graph = fixedGraph()
        try graph.want("c", dependsOn: "a")
        try graph.fail("a", reason: nil)
        #expect(throws: SyncError(.unitFailed, "a failed", cause: FailureCause(root: "a", reason: nil, chain: ["a"]))) {
            try graph.awaitCompletion(of: ["c", "a"], wait: WaitID(1))
        }
        let error = #expect(throws: SyncError.self) { try graph.awaitCompletion(of: ["c"], wait: WaitID(1)) }
        #expect(error?.message == "c was skipped: a failed, via a -> c")
        #expect(error?.code == .unitFailed)
    }

    @Test func endWaitOfACompletionWait() throws {
        var graph = fixedGraph()
        _ = try graph.awaitCompletion(of: ["a"], wait: WaitID(1))
        _ = graph.drainEvents()
        #expect(graph.endWait(WaitID(1), outcome: .timeout) == true)
        #expect(graph.endWait(WaitID(1), outcome: .timeout) == false)
        try graph.run("a")
        #expect(graph.drainResolutions() == [])
    }

    @Test func invalidNamesAreRefused() {
        var graph = fixedGraph()
        let error = #expect(throws: SyncError.self) { try graph.awaitCompletion(of: ["ok", "b\na"], wait: WaitID(1)) }
        #expect(error?.code == .invalidName)
        #expect(error?.message.hasPrefix(#"cannot wait for unit "b\na": unit name "b\na" contains control"#) == true)
    }
}
