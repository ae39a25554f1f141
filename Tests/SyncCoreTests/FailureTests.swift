import Testing

@testable import SyncCore

/// `fail`, skipping and retries: failure is an outcome that reaches every waiter whose chain leads to it.
struct FailureTests {
    static let causeB = FailureCause(root: "a", reason: "exit 128", chain: ["a", "b"])
    static let causeC = FailureCause(root: "a", reason: "exit 128", chain: ["a", "b", "c"])
    static let errorB = SyncError(
        .dependencyFailed, #"b cannot start: a failed ("exit 128"), via a -> b"#, cause: causeB)
    static let errorC = SyncError(
        .dependencyFailed, #"c cannot start: a failed ("exit 128"), via a -> b -> c"#, cause: causeC)

    /// a <- b <- c: c wants b, b wants a; the starts of b and c are parked as waits 1 and 2.
    static func chainWithParkedStarts() throws -> UnitGraph {
        var graph = fixedGraph()
        try graph.want("b", dependsOn: "a")
        try graph.want("c", dependsOn: "b")
        try graph.park("b", as: 1)
        try graph.park("c", as: 2)
        _ = graph.drainEvents()
        return graph
    }

    @Test func failReleasesEveryWaiterDownTheChain() throws {
        var graph = try Self.chainWithParkedStarts()
        try graph.fail("a", reason: "exit 128")

        #expect(
            graph.drainResolutions() == [
                WaitResolution(id: WaitID(1), result: .failure(Self.errorB)),
                WaitResolution(id: WaitID(2), result: .failure(Self.errorC)),
            ])
        #expect(graph.status(of: "a") == .failed)
        #expect(graph.info("a")?.reason == "exit 128")
        #expect(graph.status(of: "b") == .skipped)
        #expect(graph.status(of: "c") == .skipped)
        // A skipped unit stores one link; the chain is built from the links when asked.
        #expect(graph.info("b")?.cause == Self.causeB.compact)
        #expect(graph.info("c")?.cause == FailureCause(root: "a", reason: "exit 128", via: "b"))
        #expect(graph.failureCause(of: "c") == Self.causeC)
        #expect(graph.info("b")?.waiters == 0 && graph.info("c")?.waiters == 0)
        #expect(
            graph.drainKinds() == [
                .registered(unit: "a"),
                .statusChanged(unit: "a", from: .pending, to: .failed, reason: "exit 128", cause: nil),
                .statusChanged(unit: "b", from: .pending, to: .skipped, reason: nil, cause: Self.causeB.compact),
                .waitEnded(unit: "b", outcome: .dependencyFailed),
                .statusChanged(unit: "c", from: .pending, to: .skipped, reason: nil, cause: Self.causeC.compact),
                .waitEnded(unit: "c", outcome: .dependencyFailed),
            ])
    }

    @Test func startAfterTheFailureIsRefusedTheSameWay() throws {
        var graph = try Self.chainWithParkedStarts()
        try graph.fail("a", reason: "exit 128")
        _ = graph.drainEvents()
        _ = graph.drainResolutions()

        #expect(throws: Self.errorC) { try graph.start("c", wait: WaitID(3)) }
        #expect(throws: Self.errorB) { try graph.start("b", wait: nil) }
        #expect(graph.info("c")?.waiters == 0)
        #expect(graph.drainResolutions() == [])
        #expect(graph.drainEvents() == [])
    }

    @Test func pendingUnitThatIsNotWaitingIsSkippedToo() throws {
        var graph = fixedGraph()
        try graph.want("b", dependsOn: "a")
        try graph.want("c", dependsOn: "b")
        try graph.fail("a", reason: nil)
        #expect(graph.status(of: "b") == .skipped)
        #expect(graph.status(of: "c") == .skipped)
        #expect(graph.info("c")?.cause == FailureCause(root: "a", reason: nil, via: "b"))
        #expect(graph.failureCause(of: "c") == FailureCause(root: "a", reason: nil, chain: ["a", "b", "c"]))
        let error = #expect(throws: SyncError.self) { try graph.start("c", wait: nil) }
        #expect(error?.message == "c cannot start: a failed, via a -> b -> c")
    }

    @Test func runningAndFinishedDependentsAreNotSkipped() throws {
        var graph = fixedGraph()
        try graph.startNow("a")
        try graph.startNow("running")
        try graph.want("running", dependsOn: "a")
        try graph.startNow("finished")
        try graph.want("finished", dependsOn: "a")
        try graph.complete("finished")
        try graph.fail("a", reason: "boom")
        #expect(graph.status(of: "running") == .started)
        #expect(graph.status(of: "finished") == .completed)
    }

    @Test func wantOfAPendingUnitOnAFailedUnitSkipsItAtOnce() throws {
        var graph = fixedGraph()
        try graph.fail("z", reason: "exit 2")
        _ = graph.drainEvents()
        try graph.want("p", dependsOn: "z")
        let cause = FailureCause(root: "z", reason: "exit 2", chain: ["z", "p"])
        #expect(graph.status(of: "p") == .skipped)
        #expect(graph.info("p")?.cause == cause.compact)
        #expect(
            graph.drainKinds() == [
                .registered(unit: "p"),
                .dependencyAdded(unit: "p", dependsOn: "z", required: .completed),
                .statusChanged(unit: "p", from: .pending, to: .skipped, reason: nil, cause: cause.compact),
            ])
        let refusal = SyncError(.dependencyFailed, #"p cannot start: z failed ("exit 2"), via z -> p"#, cause: cause)
        #expect(throws: refusal) { try graph.start("p", wait: WaitID(1)) }
    }

    @Test func wantOfAStartedUnitOnAFailedUnitLeavesItRunning() throws {
        var graph = fixedGraph()
        try graph.fail("z", reason: nil)
        try graph.startNow("p")
        try graph.want("p", dependsOn: "z")
        #expect(graph.status(of: "p") == .started)
    }

    @Test func wantWhileParkedOnAFailedUnitReleasesTheStart() throws {
        var graph = fixedGraph()
        try graph.fail("z", reason: nil)
        try graph.want("p", dependsOn: "db")
        try graph.park("p", as: 1)
        try graph.want("p", dependsOn: "z")
        let cause = FailureCause(root: "z", reason: nil, chain: ["z", "p"])
        #expect(
            graph.drainResolutions() == [
                WaitResolution(
                    id: WaitID(1),
                    result: .failure(SyncError(.dependencyFailed, "p cannot start: z failed, via z -> p", cause: cause))
                )
            ])
        #expect(graph.status(of: "p") == .skipped)
    }

    @Test func retryOfTheFailedUnitLetsNewWaitersBehaveNormally() throws {
        var graph = try Self.chainWithParkedStarts()
        try graph.fail("a", reason: "exit 128")
        _ = graph.drainResolutions()

        let retry = try graph.startNow("a")
        #expect(retry == StartInfo(unit: "a", dependencies: [], unsatisfiedAtStart: [], waited: false))
        #expect(graph.status(of: "a") == .started)
        #expect(graph.info("a")?.reason == nil)

        // b and c are skipped, but their root is being retried: new starts wait instead of failing.
        #expect(try graph.park("b", as: 3).unsatisfied == ["a"])
        #expect(try graph.park("c", as: 4).unsatisfied == ["b"])
        #expect(graph.status(of: "b") == .skipped)

        try graph.complete("a")
        #expect(graph.drainResolutions().map(\.id) == [WaitID(3)])
        #expect(graph.status(of: "b") == .started)
        #expect(graph.info("b")?.cause == nil)
        try graph.complete("b")
        let released = try #require(graph.drainResolutions().first)
        #expect(released.id == WaitID(4))
        #expect(released.startedInfo?.unsatisfiedAtStart == ["b"])
        #expect(graph.status(of: "c") == .started)
    }

    @Test func skippedUnitWhoseRootWasRetriedDoesNotBlock() throws {
        var graph = fixedGraph()
        try graph.want("b", dependsOn: "a")
        try graph.fail("a", reason: "exit 1")
        #expect(graph.status(of: "b") == .skipped)
        try graph.startNow("a")

        try graph.want("x", dependsOn: "b")
        #expect(graph.status(of: "x") == .pending)
        #expect(try graph.park("x", as: 1).unsatisfied == ["b"])
        #expect(graph.drainResolutions() == [])
    }

    @Test func secondFailureAfterARetryReleasesTheNewWaiters() throws {
        var graph = try Self.chainWithParkedStarts()
        try graph.fail("a", reason: "exit 128")
        try graph.startNow("a")
        try graph.park("b", as: 3)
        try graph.park("c", as: 4)
        _ = graph.drainResolutions()

        try graph.fail("a", reason: "exit 128")
        #expect(
            graph.drainResolutions() == [
                WaitResolution(id: WaitID(3), result: .failure(Self.errorB)),
                WaitResolution(id: WaitID(4), result: .failure(Self.errorC)),
            ])
        #expect(graph.info("b")?.waiters == 0 && graph.info("c")?.waiters == 0)
    }

    @Test func secondFailureReachesWaitersBehindASkippedUnitThatIsNotWaiting() throws {
        var graph = fixedGraph()
        try graph.want("b", dependsOn: "a")
        try graph.fail("a", reason: "exit 1")
        try graph.startNow("a")
        try graph.want("d", dependsOn: "b")
        try graph.park("d", as: 1)
        try graph.want("e", dependsOn: "d")
        #expect(graph.status(of: "d") == .pending && graph.status(of: "e") == .pending)

        try graph.fail("a", reason: "exit 2")
        let cause = FailureCause(root: "a", reason: "exit 2", chain: ["a", "b", "d"])
        #expect(
            graph.drainResolutions() == [
                WaitResolution(
                    id: WaitID(1),
                    result: .failure(
                        SyncError(
                            .dependencyFailed, #"d cannot start: a failed ("exit 2"), via a -> b -> d"#, cause: cause)))
            ])
        #expect(graph.status(of: "d") == .skipped)
        #expect(graph.info("d")?.cause == cause.compact)
        #expect(graph.status(of: "e") == .skipped)
        #expect(graph.info("e")?.cause == cause.extended(to: "e").compact)
        #expect(graph.failureCause(of: "e") == cause.extended(to: "e"))
    }

    @Test func newEdgeFromASkippedUnitToAFailedUnitReleasesTheWaitersBehindIt() throws {
        var graph = fixedGraph()
        try graph.want("b", dependsOn: "a")
        try graph.fail("a", reason: nil)
        try graph.startNow("a")  // a retry: the chain through b is alive again
        try graph.want("d", dependsOn: "b")
        try graph.park("d", as: 1)
        try graph.fail("z", reason: "no disk")
        #expect(graph.drainResolutions() == [])

        try graph.want("b", dependsOn: "z")
        let cause = FailureCause(root: "z", reason: "no disk", chain: ["z", "b", "d"])
        let message = #"d cannot start: z failed ("no disk"), via z -> b -> d"#
        #expect(
            graph.drainResolutions() == [
                WaitResolution(id: WaitID(1), result: .failure(SyncError(.dependencyFailed, message, cause: cause)))
            ])
        #expect(graph.status(of: "d") == .skipped)
    }

    @Test func failureReachesEveryBranchOfADiamondOnce() throws {
        var graph = fixedGraph()
        try graph.want("left", dependsOn: "root")
        try graph.want("right", dependsOn: "root")
        try graph.want("top", dependsOn: "left")
        try graph.want("top", dependsOn: "right")
        try graph.park("top", as: 1)
        try graph.park("left", as: 2)
        _ = graph.drainEvents()

        try graph.fail("root", reason: nil)
        let resolutions = graph.drainResolutions()
        #expect(resolutions.map(\.id).sorted() == [WaitID(1), WaitID(2)])
        #expect(resolutions.allSatisfy { $0.error?.code == .dependencyFailed })
        #expect(graph.unitNames.map { graph.status(of: $0) } == [.skipped, .skipped, .failed, .skipped])
        let skips = graph.drainEvents().filter {
            if case .statusChanged(_, _, .skipped, _, _, _) = $0.kind { return true }
            return false
        }
        #expect(skips.map(\.unit).sorted() == ["left", "right", "top"])
    }

    @Test func failOfAUnitWithAParkedStartReleasesIt() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.park("app", as: 1)
        try graph.fail("app", reason: "gave up")
        let cause = FailureCause(root: "app", reason: "gave up", chain: ["app"])
        #expect(
            graph.drainResolutions() == [
                WaitResolution(
                    id: WaitID(1),
                    result: .failure(
                        SyncError(.dependencyFailed, #"app cannot start: app failed ("gave up")"#, cause: cause)))
            ])
        #expect(graph.status(of: "app") == .failed)
    }

    @Test func failRules() throws {
        var graph = fixedGraph()
        try graph.fail("never-started", reason: "exit 1")
        #expect(
            graph.drainKinds() == [
                .registered(unit: "never-started"),
                .statusChanged(unit: "never-started", from: .pending, to: .failed, reason: "exit 1", cause: nil),
            ])
        let message =
            #"cannot fail unit "never-started": checking status for unit "never-started": same status already set"#
        #expect(throws: SyncError(.sameStatus, message)) { try graph.fail("never-started", reason: "again") }
        #expect(graph.info("never-started")?.reason == "exit 1")

        try graph.startNow("never-started")
        try graph.fail("never-started", reason: nil)
        #expect(graph.info("never-started")?.reason == nil)
    }

    @Test(arguments: [
        ("exit 128\nfatal: auth required", "exit 128 fatal: auth required"),
        ("tab\there\r\n", "tab here  "),
        ("bell\u{07} del\u{7F} nel\u{85}", "bell  del  nel "),
        ("plain", "plain"),
        ("", ""),
    ])
    func reasonsAreCleaned(reason: String, cleaned: String) throws {
        var graph = fixedGraph()
        try graph.fail("u", reason: reason)
        #expect(graph.info("u")?.reason == cleaned)
    }

    @Test(arguments: ["x", "é", "日", "🙂"])
    func longReasonsAreCut(piece: String) throws {
        var graph = fixedGraph()
        let reason = String(repeating: piece, count: 2_000)
        try graph.fail("u", reason: reason)
        let kept = try #require(graph.info("u")?.reason)
        #expect(kept.utf8.count <= UnitGraph.maxReasonBytes)
        #expect(kept.utf8.count > UnitGraph.maxReasonBytes - 8)
        #expect(kept.hasSuffix("…"))
        #expect(reason.hasPrefix(String(kept.dropLast())))

        let exact = String(repeating: "x", count: UnitGraph.maxReasonBytes)
        try graph.startNow("u")
        try graph.fail("u", reason: exact)
        #expect(graph.info("u")?.reason == exact)
    }

    @Test func failureDescriptions() {
        let cause = FailureCause(root: "git", reason: "exit 128: auth \"required\"", chain: ["git", "repo", "claude"])
        #expect(cause.rootDescription == #"git failed ("exit 128: auth \"required\"")"#)
        #expect(cause.chainDescription == "git -> repo -> claude")
        #expect(FailureCause(root: "git", reason: "", chain: ["git"]).rootDescription == "git failed")
        #expect(cause.extended(to: "x").chain == ["git", "repo", "claude", "x"])
        #expect(SyncError(.notReady, "inner").wrapped("outer") == SyncError(.notReady, "outer: inner"))
        #expect(SyncError(.notReady, "inner").description == "inner")
        #expect(UnitStatus.failed.isFailure && UnitStatus.skipped.isFailure && !UnitStatus.completed.isFailure)
    }
}
