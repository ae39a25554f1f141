import Testing

@testable import SyncCore

/// Every change is an event; replaying the events, or loading a snapshot, rebuilds the same graph.
struct EventTests {
    static let causeD = FailureCause(root: "c", reason: "exit 1", chain: ["c", "d"])

    /// A graph that went through every kind of change, with a ticking clock (event N at N ms).
    static func busyGraph() throws -> UnitGraph {
        var graph = tickingGraph()
        try graph.register("a")
        try graph.want("b", dependsOn: "a")
        try graph.want("b", dependsOn: "a")
        try graph.startNow("a")
        try graph.park("b", as: 1)
        try graph.complete("a")
        try graph.fail("c", reason: "exit 1")
        try graph.want("d", dependsOn: "c")
        try graph.register("e")
        try graph.addDependency("e", on: "b", requiring: .started)
        try graph.updateStatus("e", to: .started)
        return graph
    }

    static let busyKinds: [SyncEvent.Kind] = [
        .registered(unit: "a"),
        .registered(unit: "b"),
        .dependencyAdded(unit: "b", dependsOn: "a", required: .completed),
        .statusChanged(unit: "a", from: .pending, to: .started, reason: nil, cause: nil),
        .waitBegan(unit: "b", unsatisfied: ["a"]),
        .statusChanged(unit: "a", from: .started, to: .completed, reason: nil, cause: nil),
        .waitEnded(unit: "b", outcome: .started),
        .statusChanged(unit: "b", from: .pending, to: .started, reason: nil, cause: nil),
        .registered(unit: "c"),
        .statusChanged(unit: "c", from: .pending, to: .failed, reason: "exit 1", cause: nil),
        .registered(unit: "d"),
        .dependencyAdded(unit: "d", dependsOn: "c", required: .completed),
        .statusChanged(unit: "d", from: .pending, to: .skipped, reason: nil, cause: causeD.compact),
        .registered(unit: "e"),
        .dependencyAdded(unit: "e", dependsOn: "b", required: .started),
        .statusChanged(unit: "e", from: .pending, to: .started, reason: nil, cause: nil),
    ]

    @Test func oneEventPerChangeInOrder() throws {
        var graph = try Self.busyGraph()
        let events = graph.drainEvents()
        #expect(events.map(\.kind) == Self.busyKinds)
        #expect(events.map(\.sequence) == Array(1...UInt64(Self.busyKinds.count)))
        #expect(events.map(\.time) == events.map { Timestamp(microseconds: Int64($0.sequence) * 1_000) })
        #expect(events.map(\.unit) == ["a", "b", "b", "a", "b", "a", "b", "b", "c", "c", "d", "d", "d", "e", "e", "e"])
        #expect(graph.nextSequence == UInt64(Self.busyKinds.count) + 1)
        #expect(graph.drainEvents() == [])
    }

    @Test func sequenceContinuesAcrossDrains() throws {
        var graph = fixedGraph()
        try graph.register("a")
        #expect(graph.drainEvents().map(\.sequence) == [1])
        try graph.want("b", dependsOn: "a")
        #expect(graph.drainEvents().map(\.sequence) == [2, 3])
    }

    @Test func refusedOperationsRecordNothing() throws {
        var graph = fixedGraph()
        try graph.startNow("a")
        try graph.want("x", dependsOn: "y")
        _ = graph.drainEvents()
        _ = try? graph.start("a", wait: nil)
        try? graph.complete("never")
        try? graph.want("a", dependsOn: "a")
        try? graph.updateStatus("a", to: .started)
        try? graph.register("a")
        _ = try? graph.start("x", wait: nil)
        #expect(graph.drainEvents() == [])
        #expect(graph.nextSequence == 5)
    }

    @Test func statusChangeTimesAreRecorded() throws {
        var graph = try Self.busyGraph()
        let a = try #require(graph.info("a"))
        #expect(a.registeredAt == Timestamp(microseconds: 1_000))
        #expect(a.since == Timestamp(microseconds: 6_000))
        #expect(graph.info("b")?.since == Timestamp(microseconds: 8_000))
        _ = graph.drainEvents()
    }

    @Test func replayingTheEventsRebuildsTheSameGraph() throws {
        var graph = try Self.busyGraph()
        var mirror = fixedGraph()
        for event in graph.drainEvents() { mirror.replay(event) }
        #expect(mirror.snapshot == graph.snapshot)
        #expect(mirror.nextSequence == graph.nextSequence)
        for unit in graph.unitNames {
            #expect(mirror.isReady(unit) == graph.isReady(unit), "readiness of \(unit)")
        }
        #expect(mirror.drainEvents() == [])
        #expect(mirror.drainResolutions() == [])

        // The mirror continues the numbering and behaves as the original.
        try mirror.want("f", dependsOn: "b")
        try graph.want("f", dependsOn: "b")
        #expect(mirror.drainEvents().map(\.sequence) == [17, 18])
        #expect(mirror.snapshot.edges == graph.snapshot.edges)
    }

    @Test func replayInBatchesWithWaitsStillParked() throws {
        var graph = fixedGraph()
        var mirror = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.park("app", as: 1)
        for event in graph.drainEvents() { mirror.replay(event) }
        try graph.run("db")
        for event in graph.drainEvents() { mirror.replay(event) }
        try graph.fail("app", reason: "crashed")
        for event in graph.drainEvents() { mirror.replay(event) }
        #expect(mirror.snapshot == graph.snapshot)
    }

    @Test func snapshotContents() throws {
        let graph = try Self.busyGraph()
        let snapshot = graph.snapshot
        #expect(snapshot.sequence == 16)
        #expect(snapshot.units.map(\.name) == ["a", "b", "c", "d", "e"])
        #expect(snapshot.units.map(\.status) == [.completed, .started, .failed, .skipped, .started])
        #expect(snapshot.units[2].reason == "exit 1")
        #expect(snapshot.units[3].cause == Self.causeD.compact)
        #expect(snapshot.units.map(\.isReady) == [true, true, true, false, true])
        #expect(
            snapshot.edges == [
                DependencyEdge(unit: "b", dependsOn: "a"),
                DependencyEdge(unit: "d", dependsOn: "c"),
                DependencyEdge(unit: "e", dependsOn: "b", required: .started),
            ])
        #expect(fixedGraph().snapshot == GraphSnapshot(sequence: 0, units: [], edges: []))
    }

    @Test func loadingASnapshotRoundTrips() throws {
        var graph = try Self.busyGraph()
        try graph.want("g", dependsOn: "unregistered")
        try graph.updateStatus("e", to: .pending)
        let snapshot = graph.snapshot
        var loaded = UnitGraph(snapshot: snapshot, clock: { Timestamp(microseconds: 99_000) })
        #expect(loaded.snapshot == snapshot)
        #expect(loaded.drainEvents() == [])
        #expect(loaded.drainResolutions() == [])
        #expect(loaded.nextSequence == snapshot.sequence + 1)

        // It is a working graph: a start parks and is released as in the original.
        try loaded.park("g", as: 1)
        try loaded.run("unregistered")
        #expect(loaded.drainResolutions().map(\.id) == [WaitID(1)])
        #expect(loaded.drainEvents().first?.sequence == snapshot.sequence + 1)
    }

    @Test func snapshotOfAGraphWithParkedWaitsLoadsWithoutThem() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        try graph.park("app", as: 1)
        let snapshot = graph.snapshot
        #expect(snapshot.units.first?.waiters == 1)

        let loaded = UnitGraph(snapshot: snapshot, clock: { fixedTime })
        var expected = snapshot
        expected.units[0].waiters = 0
        #expect(loaded.snapshot == expected)
    }
}
