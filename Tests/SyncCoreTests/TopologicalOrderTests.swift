import Testing

@testable import SyncCore

/// The cycle check through the topological order refuses exactly the edges that close a loop, however the graph
/// was built: edge by edge in any order, or loaded from a snapshot and extended.
struct TopologicalOrderTests {
    /// Whether `from` reaches `to` along dependency edges, by a plain search of the public queries.
    static func reaches(_ graph: UnitGraph, _ from: String, _ to: String) -> Bool {
        var seen: Set<String> = [from]
        var stack = [from]
        while let name = stack.popLast() {
            if name == to { return true }
            for edge in graph.dependencies(of: name) where seen.insert(edge.dependsOn).inserted {
                stack.append(edge.dependsOn)
            }
        }
        return false
    }

    /// Every edge's dependency ranks below its dependent.
    static func orderHolds(_ graph: UnitGraph) -> Bool {
        graph.forward.allSatisfy { unit, edges in
            edges.keys.allSatisfy { graph.order.rank[$0]! < graph.order.rank[unit]! }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func randomEdgesAreRefusedExactlyWhenTheyCloseALoop(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var graph = fixedGraph()
        let names = (0..<40).map { "n\($0)" }
        var refused = 0
        for _ in 0..<400 {
            let unit = names[Int(random.next() % 40)]
            let dependency = names[Int(random.next() % 40)]
            let loops = unit == dependency || Self.reaches(graph, dependency, unit)
            do {
                try graph.want(unit, dependsOn: dependency)
                #expect(!loops, "\(unit) -> \(dependency) was accepted but closes a loop")
            } catch {
                #expect(loops, "\(unit) -> \(dependency) was refused: \(error.message)")
                #expect(error.code == .cycleDetected)
                refused += 1
            }
            let holds = Self.orderHolds(graph)
            #expect(holds, "the order broke after \(unit) -> \(dependency)")
        }
        #expect(refused > 0)
    }

    @Test func aGraphLoadedFromASnapshotKeepsCheckingLoops() throws {
        var graph = fixedGraph()
        for index in 1..<200 { try graph.want("u\(index)", dependsOn: "u\(index / 2)") }
        var loaded = UnitGraph(snapshot: graph.snapshot, clock: { fixedTime })
        var holds = Self.orderHolds(loaded)
        #expect(holds)
        #expect(throws: SyncError.self) { try loaded.want("u1", dependsOn: "u150") }
        try loaded.want("u150", dependsOn: "u3")
        try loaded.want("u7", dependsOn: "u199")
        holds = Self.orderHolds(loaded)
        #expect(holds)
    }

    @Test func aChainDeclaredFromItsStartNeedsNoSearch() throws {
        var graph = fixedGraph()
        for index in 1..<5000 { try graph.want("u\(index)", dependsOn: "u\(index - 1)") }
        let holds = Self.orderHolds(graph)
        #expect(holds)
        #expect(throws: SyncError.self) { try graph.want("u0", dependsOn: "u4999") }
    }
}

/// SplitMix64, so a failing case can be repeated.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
