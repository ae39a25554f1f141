import Testing

@testable import SyncCore

/// The socket-level operations (coder's `agent/agentsocket` service): coder's `want`, `start`, `complete` with our
/// atomic, parking `start`.
struct WantTests {
    @Test func wantRegistersTheDependentOnly() throws {
        var graph = fixedGraph()
        try graph.want("test-unit", dependsOn: "dependency-unit")
        #expect(graph.status(of: "test-unit") == .pending)
        #expect(graph.status(of: "dependency-unit") == nil)
        #expect(
            graph.dependencies(of: "test-unit") == [
                DependencyInfo(
                    unit: "test-unit", dependsOn: "dependency-unit", requiredStatus: .completed, currentStatus: nil)
            ])
        #expect(graph.isReady("test-unit") == false)
    }

    @Test func wantAfterTheDependencyStarted() throws {
        var graph = fixedGraph()
        try graph.startNow("dependency-unit")
        try graph.want("test-unit", dependsOn: "dependency-unit")
        #expect(graph.dependencies(of: "test-unit").map(\.currentStatus) == [.started])
        #expect(graph.isReady("test-unit") == false)
        try graph.complete("dependency-unit")
        #expect(graph.isReady("test-unit"))
    }

    @Test func wantAfterTheDependentStarted() throws {
        var graph = fixedGraph()
        try graph.startNow("test-unit")
        try graph.want("test-unit", dependsOn: "dependency-unit")
        #expect(graph.status(of: "test-unit") == .started)
        #expect(graph.isReady("test-unit") == false)
        #expect(graph.dependencies(of: "test-unit").map(\.dependsOn) == ["dependency-unit"])
    }

    @Test func wantSelfIsACycleAndLeavesTheUnitRegistered() {
        var graph = fixedGraph()
        let message = "cannot add dependency: adding edge (u -> u): cycle detected: u -> u"
        #expect(throws: SyncError(.cycleDetected, message)) { try graph.want("u", dependsOn: "u") }
        #expect(graph.status(of: "u") == .pending)
        #expect(graph.edgeCount == 0)
    }

    @Test func wantBackwardsIsACycleAndLeavesTheDependentRegistered() throws {
        var graph = fixedGraph()
        try graph.want("foo", dependsOn: "bar")
        let message = "cannot add dependency: adding edge (bar -> foo): cycle detected: bar -> foo -> bar"
        #expect(throws: SyncError(.cycleDetected, message)) { try graph.want("bar", dependsOn: "foo") }
        #expect(graph.status(of: "bar") == .pending)
        #expect(graph.edgeCount == 1)
        #expect(message.contains("cycle detected"))
    }

    /// coder's "cannot be empty" context is for empty names only; other problems are not said to be emptiness.
    @Test func wantOnAnInvalidDependencyName() {
        var graph = fixedGraph()
        let error = #expect(throws: SyncError.self) { try graph.want("app", dependsOn: "d\tb") }
        #expect(error?.code == .invalidName)
        #expect(
            error?.message
                == #"cannot add dependency: invalid dependency name: unit name "d\tb" contains control character "#
                + "U+0009; names are 1-255 bytes of UTF-8 without control characters")
        #expect(graph.status(of: "app") == .pending)
    }

    @Test func addDependencyWithAnInvalidDependentName() {
        var graph = fixedGraph()
        let long = String(repeating: "x", count: 300)
        let error = #expect(throws: SyncError.self) { try graph.addDependency(long, on: "db") }
        #expect(error?.code == .invalidName)
        #expect(
            error?.message
                == #"invalid dependent name: unit name "xxxxxxxxxxxxxxxxxxxxxxxx"… is 300 bytes long; "#
                + "the limit is 255 bytes")
    }
}

struct StartTests {
    @Test func startOfANewUnitStartsAtOnce() throws {
        var graph = fixedGraph()
        let info = try graph.startNow("test-unit")
        #expect(info == StartInfo(unit: "test-unit", dependencies: [], unsatisfiedAtStart: [], waited: false))
        #expect(graph.status(of: "test-unit") == .started)
        #expect(graph.isReady("test-unit"))
        #expect(graph.drainResolutions() == [])
    }

    @Test func startWithSatisfiedDependenciesReportsThem() throws {
        var graph = fixedGraph()
        try graph.want("test-unit", dependsOn: "dep-unit-2")
        try graph.want("test-unit", dependsOn: "dep-unit")
        try graph.run("dep-unit")
        try graph.run("dep-unit-2")
        let info = try graph.startNow("test-unit")
        #expect(
            info
                == StartInfo(
                    unit: "test-unit", dependencies: ["dep-unit", "dep-unit-2"], unsatisfiedAtStart: [], waited: false))
    }

    @Test func startTwiceIsRefusedWithSameStatus() throws {
        var graph = fixedGraph()
        try graph.startNow("test-unit")
        _ = graph.drainEvents()
        let message = #"cannot start unit "test-unit": checking status for unit "test-unit": same status already set"#
        #expect(throws: SyncError(.sameStatus, message)) { try graph.start("test-unit", wait: WaitID(1)) }
        #expect(graph.status(of: "test-unit") == .started)
        #expect(graph.drainEvents() == [])
    }

    @Test func startAfterCompleteIsARerun() throws {
        var graph = fixedGraph()
        try graph.want("dependent", dependsOn: "test-unit")
        try graph.run("test-unit")
        #expect(graph.isReady("dependent"))
        try graph.startNow("test-unit")
        #expect(graph.status(of: "test-unit") == .started)
        // As coder: exact-match satisfaction, so the re-run un-satisfies the dependents.
        #expect(graph.isReady("dependent") == false)
    }

    @Test func unreadyStartWithoutWaitIsRefused() throws {
        var graph = fixedGraph()
        try graph.want("test-unit", dependsOn: "dependency-unit")
        _ = graph.drainEvents()
        #expect(throws: SyncError(.notReady, #"cannot start unit "test-unit": unit not ready"#)) {
            try graph.start("test-unit", wait: nil)
        }
        #expect(graph.status(of: "test-unit") == .pending)
        #expect(graph.isReady("test-unit") == false)
        #expect(graph.info("test-unit")?.waiters == 0)
        #expect(graph.drainEvents() == [])
    }

    @Test func parkedStartIsReleasedByTheCompleteThatSatisfiesIt() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.want("app", dependsOn: "cache")
        try graph.want("app", dependsOn: "config")
        try graph.run("config")

        let parked = try graph.park("app", as: 7)
        #expect(parked.dependencies == ["cache", "config", "db"])
        #expect(parked.unsatisfied == ["cache", "db"])
        #expect(graph.info("app")?.waiters == 1)
        #expect(graph.status(of: "app") == .pending)

        try graph.run("db")
        #expect(graph.drainResolutions() == [])
        #expect(graph.status(of: "app") == .pending)

        try graph.startNow("cache")
        #expect(graph.drainResolutions() == [])
        try graph.complete("cache")
        let info = StartInfo(
            unit: "app", dependencies: ["cache", "config", "db"], unsatisfiedAtStart: ["cache", "db"], waited: true)
        #expect(graph.drainResolutions() == [WaitResolution(id: WaitID(7), result: .success(.started(info)))])
        #expect(graph.status(of: "app") == .started)
        #expect(graph.info("app")?.waiters == 0)
        #expect(graph.drainResolutions() == [])
    }

    @Test func parkingAndReleasingAreEvents() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.startNow("db")
        _ = graph.drainEvents()
        try graph.park("app", as: 1)
        #expect(graph.drainKinds() == [.waitBegan(unit: "app", unsatisfied: ["db"])])
        try graph.complete("db")
        #expect(
            graph.drainKinds() == [
                .statusChanged(unit: "db", from: .started, to: .completed, reason: nil, cause: nil),
                .waitEnded(unit: "app", outcome: .started),
                .statusChanged(unit: "app", from: .pending, to: .started, reason: nil, cause: nil),
            ])
    }

    @Test func twoParkedStartsFirstWinsSecondGetsSameStatus() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.startNow("db")
        try graph.park("app", as: 2)
        try graph.park("app", as: 1)
        #expect(graph.info("app")?.waiters == 2)
        _ = graph.drainEvents()

        try graph.complete("db")
        let resolutions = graph.drainResolutions()
        #expect(resolutions.map(\.id) == [WaitID(2), WaitID(1)])
        #expect(resolutions.first?.startedInfo?.waited == true)
        let message = #"cannot start unit "app": checking status for unit "app": same status already set"#
        #expect(resolutions.last?.error == SyncError(.sameStatus, message))
        #expect(graph.status(of: "app") == .started)
        #expect(graph.info("app")?.waiters == 0)
        #expect(
            graph.drainKinds().suffix(3) == [
                .waitEnded(unit: "app", outcome: .started),
                .statusChanged(unit: "app", from: .pending, to: .started, reason: nil, cause: nil),
                .waitEnded(unit: "app", outcome: .refused),
            ])
    }

    @Test func wantAddedWhileParkedKeepsItParked() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.park("app", as: 1)
        try graph.want("app", dependsOn: "migrations")
        #expect(graph.unmetDependencies(of: "app").map(\.dependsOn) == ["db", "migrations"])

        try graph.run("db")
        #expect(graph.drainResolutions() == [])
        #expect(graph.status(of: "app") == .pending)

        try graph.run("migrations")
        let resolution = try #require(graph.drainResolutions().first)
        #expect(resolution.id == WaitID(1))
        // As coder's "finished waiting" line: the lists are those of the moment the start arrived.
        #expect(
            resolution.startedInfo
                == StartInfo(unit: "app", dependencies: ["db"], unsatisfiedAtStart: ["db"], waited: true))
        #expect(graph.status(of: "app") == .started)
    }

    @Test(arguments: [WaitOutcome.timeout, .cancelled, .disconnected])
    func endWaitLeavesTheUnitPending(_ outcome: WaitOutcome) throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.park("app", as: 1)
        _ = graph.drainEvents()

        #expect(graph.endWait(WaitID(1), outcome: outcome) == true)
        #expect(graph.drainKinds() == [.waitEnded(unit: "app", outcome: outcome)])
        #expect(graph.status(of: "app") == .pending)
        #expect(graph.info("app")?.waiters == 0)
        #expect(graph.drainResolutions() == [])

        #expect(graph.endWait(WaitID(1), outcome: outcome) == false)
        #expect(graph.drainEvents() == [])

        try graph.run("db")
        #expect(graph.drainResolutions() == [])
        #expect(graph.status(of: "app") == .pending)
        #expect(graph.isReady("app"))
    }

    @Test func endWaitOfOneOfTwoParkedStartsKeepsTheOther() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.park("app", as: 1)
        try graph.park("app", as: 2)
        #expect(graph.endWait(WaitID(1), outcome: .cancelled) == true)
        try graph.run("db")
        #expect(graph.drainResolutions().map(\.id) == [WaitID(2)])
        #expect(graph.status(of: "app") == .started)
    }

    @Test func startRequiringStartedIsReleasedByAStart() throws {
        var graph = fixedGraph()
        try graph.register("sidecar")
        try graph.addDependency("sidecar", on: "server", requiring: .started)
        try graph.register("client")
        try graph.addDependency("client", on: "sidecar", requiring: .started)
        try graph.park("client", as: 1)
        try graph.park("sidecar", as: 2)

        // One start releases the sidecar, whose start releases the client in the same step.
        try graph.startNow("server")
        #expect(graph.drainResolutions().map(\.id) == [WaitID(2), WaitID(1)])
        #expect(graph.status(of: "sidecar") == .started)
        #expect(graph.status(of: "client") == .started)
    }

    @Test func completeRules() throws {
        var graph = fixedGraph()
        #expect(
            throws: SyncError(
                .notRegistered, #"cannot complete unit "u": unit "u" must be registered first: unit not found"#)
        ) { try graph.complete("u") }

        try graph.want("u", dependsOn: "d")
        try graph.complete("u")  // pending -> completed is allowed
        #expect(graph.status(of: "u") == .completed)
        #expect(
            throws: SyncError(
                .sameStatus, #"cannot complete unit "u": checking status for unit "u": same status already set"#)
        ) { try graph.complete("u") }
    }

    @Test func completeOfAPureDependencyNeedsItRegistered() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "git-clone")
        #expect(throws: SyncError.self) { try graph.complete("git-clone") }
        try graph.run("git-clone")
        #expect(graph.isReady("app"))
    }
}
