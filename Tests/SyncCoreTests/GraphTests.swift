import Testing

@testable import SyncCore

/// coder's `agent/unit/graph_test.go`, on the edges of ``UnitGraph``. The DOT goldens have no
/// counterpart (the graph exports no DOT); what they pin down, which vertices and edges exist, is asserted directly.
/// The thread-safety cases do not apply: ``UnitGraph`` is a value with one owner.
struct GraphTests {
    @Test func forwardAndReverseEdges() throws {
        var graph = fixedGraph()
        try graph.register("u1")
        try graph.addDependency("u1", on: "u2", requiring: .completed)
        try graph.addDependency("u1", on: "u3", requiring: .started)

        #expect(
            graph.dependencies(of: "u1") == [
                DependencyInfo(unit: "u1", dependsOn: "u2", requiredStatus: .completed, currentStatus: nil),
                DependencyInfo(unit: "u1", dependsOn: "u3", requiredStatus: .started, currentStatus: nil),
            ])
        #expect(graph.dependents(of: "u2") == ["u1"])
        #expect(graph.dependents(of: "u3") == ["u1"])
        #expect(graph.dependents(of: "u1") == [])
        #expect(graph.edgeCount == 2)
        #expect(
            graph.snapshot.edges == [
                DependencyEdge(unit: "u1", dependsOn: "u2", required: .completed),
                DependencyEdge(unit: "u1", dependsOn: "u3", required: .started),
            ])
        #expect(graph.unregisteredDependencies == ["u2", "u3"])
    }

    @Test func selfReferenceIsACycle() throws {
        var graph = fixedGraph()
        try graph.register("u1")
        #expect(throws: SyncError(.cycleDetected, "adding edge (u1 -> u1): cycle detected: u1 -> u1")) {
            try graph.addDependency("u1", on: "u1")
        }
        #expect(graph.isRegistered("u1"))
        #expect(graph.edgeCount == 0)
        #expect(graph.isReady("u1"))
    }

    @Test func cycleOfTwo() throws {
        var graph = fixedGraph()
        try graph.register("u1")
        try graph.register("u2")
        try graph.addDependency("u1", on: "u2")
        #expect(throws: SyncError(.cycleDetected, "adding edge (u2 -> u1): cycle detected: u2 -> u1 -> u2")) {
            try graph.addDependency("u2", on: "u1")
        }
        #expect(graph.snapshot.edges == [DependencyEdge(unit: "u1", dependsOn: "u2")])
        #expect(graph.dependents(of: "u1") == [])
    }

    @Test func cycleMessageNamesTheWholeLoop() throws {
        var graph = fixedGraph()
        try graph.want("b", dependsOn: "c")
        try graph.want("c", dependsOn: "a")
        let error = #expect(throws: SyncError.self) { try graph.want("a", dependsOn: "b") }
        #expect(error?.code == .cycleDetected)
        #expect(error?.message == "cannot add dependency: adding edge (a -> b): cycle detected: a -> b -> c -> a")
        #expect(graph.edgeCount == 2)
    }

    @Test func multipleDependenciesSameStatus() throws {
        var graph = fixedGraph()
        try graph.register("u1")
        try graph.addDependency("u1", on: "u2", requiring: .completed)
        try graph.addDependency("u1", on: "u3", requiring: .completed)
        try graph.addDependency("u1", on: "u4", requiring: .started)

        #expect(graph.dependencies(of: "u1").map(\.dependsOn) == ["u2", "u3", "u4"])
        #expect(graph.dependencies(of: "u1").map(\.requiredStatus) == [.completed, .completed, .started])
        for target in ["u2", "u3", "u4"] {
            #expect(graph.dependents(of: target) == ["u1"])
        }
        #expect(graph.edgeCount == 3)
    }

    @Test func diamondIsNotACycleButClosingItIs() throws {
        var graph = fixedGraph()
        try graph.want("a", dependsOn: "b")
        try graph.want("a", dependsOn: "c")
        try graph.want("b", dependsOn: "d")
        try graph.want("c", dependsOn: "d")
        try graph.want("a", dependsOn: "d")
        #expect(graph.edgeCount == 5)

        let error = #expect(throws: SyncError.self) { try graph.want("d", dependsOn: "a") }
        #expect(error?.code == .cycleDetected)
        // The loop is one real path from the new edge's end back to its start.
        let loop = try #require(error?.message.split(separator: ": ").last).split(separator: " -> ").map(String.init)
        #expect(loop.first == "d" && loop.last == "d" && loop[1] == "a")
        for (from, to) in zip(loop.dropFirst(), loop.dropFirst(2)) {
            #expect(graph.dependencies(of: from).contains { $0.dependsOn == to }, "\(from) -> \(to) is not an edge")
        }
        #expect(graph.isRegistered("d"))
        #expect(graph.dependencies(of: "d") == [])
    }

    @Test func edgeMayNameAnUnregisteredDependencyThatRegistersLater() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: "db")
        #expect(graph.status(of: "db") == nil)
        #expect(graph.unregisteredDependencies == ["db"])
        try graph.register("db")
        #expect(graph.unregisteredDependencies == [])
        #expect(graph.dependents(of: "db") == ["app"])
        #expect(graph.isReady("app") == false)
    }

    @Test func listsAreSortedBytewise() throws {
        var graph = fixedGraph()
        for dependency in ["b", "B", "a", "é", "Z", "aa"] {
            try graph.want("unit", dependsOn: dependency)
            try graph.register(dependency)
        }
        let expected = ["B", "Z", "a", "aa", "b", "é"]
        #expect(graph.dependencies(of: "unit").map(\.dependsOn) == expected)
        #expect(graph.unitNames == ["B", "Z", "a", "aa", "b", "unit", "é"])
        #expect(graph.allUnits.map(\.name) == graph.unitNames)
        #expect(bytewise("Z", "a") && !bytewise("a", "Z") && bytewise("z", "é"))
    }
}
