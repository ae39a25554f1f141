import Testing

@testable import SyncCore

/// The work of a change is bounded by what the change touches, not by the graph: counted in edges examined
/// (``UnitGraph/edgeVisits``) and in the size of what the events carry, never timed.
struct BoundedWorkTests {
    static let n = 2_000

    @Test func eachNewDependencyOfOneUnitCostsTheSame() throws {
        var graph = fixedGraph()
        for index in 0..<Self.n {
            try graph.want("hub", dependsOn: "dep-\(index)")
        }
        #expect(graph.dependencies(of: "hub").count == Self.n)
        // Quadratic (every new edge looking at all earlier ones) would be ~n²/2 = 2,000,000.
        #expect(graph.edgeVisits <= 4 * Self.n)
    }

    @Test func eachNewDependencyOfAParkedUnitCostsTheSame() throws {
        var graph = fixedGraph()
        try graph.want("hub", dependsOn: "dep-0")
        try graph.park("hub", as: 1)
        for index in 1..<Self.n {
            try graph.want("hub", dependsOn: "dep-\(index)")
        }
        #expect(graph.info("hub")?.waiters == 1)
        #expect(graph.edgeVisits <= 4 * Self.n)
    }

    @Test func fanInCompletesInOnePass() throws {
        var graph = fixedGraph()
        for index in 0..<Self.n {
            try graph.want("leaf-\(index)", dependsOn: "hub")
        }
        try graph.startNow("hub")
        try graph.complete("hub")
        #expect((0..<Self.n).allSatisfy { graph.isReady("leaf-\($0)") })
        #expect(graph.edgeVisits <= 4 * Self.n)
    }

    @Test func eachNewDependentOfTheEndOfASkippedChainCostsTheSame() throws {
        var graph = try Self.chain(Self.n)
        try graph.fail("a0", reason: "exit 1")
        let before = graph.edgeVisits
        for index in 0..<Self.n {
            try graph.want("x\(index)", dependsOn: "a\(Self.n - 1)")
        }
        #expect((0..<Self.n).allSatisfy { graph.status(of: "x\($0)") == .skipped })
        // Searching the chain for its failed root each time would be n² = 4,000,000.
        #expect(graph.edgeVisits - before <= 4 * Self.n)
        #expect(graph.failureCause(of: "x7").chain.count == Self.n + 1)
        // After a retry of the root the chain no longer blocks, and the next edge finds that out.
        try graph.startNow("a0")
        try graph.want("late", dependsOn: "a\(Self.n - 1)")
        #expect(graph.status(of: "late") == .pending)
        try graph.fail("a0", reason: "again")
        let again = graph.edgeVisits
        for index in 0..<Self.n {
            try graph.want("later-\(index)", dependsOn: "a\(Self.n - 1)")
        }
        #expect(graph.status(of: "later-0") == .skipped)
        #expect(graph.failureCause(of: "later-0").reason == "again")
        #expect(graph.edgeVisits - again <= 4 * Self.n)
    }

    /// a0 <- a1 <- … <- a(n-1), each parked.
    static func chain(_ count: Int, parked: Bool = false) throws -> UnitGraph {
        var graph = fixedGraph()
        for index in 1..<count {
            try graph.want("a\(index)", dependsOn: "a\(index - 1)")
            if parked { try graph.park("a\(index)", as: UInt64(index)) }
        }
        _ = graph.drainEvents()
        return graph
    }

    @Test func failureOfAChainRootRecordsEachSkipOnce() throws {
        var graph = try Self.chain(Self.n)
        try graph.fail("a0", reason: "exit 1")
        let skips = graph.drainEvents().compactMap { event -> FailureCause? in
            guard case .statusChanged(_, _, .skipped, _, let cause, _) = event.kind else { return nil }
            return cause
        }
        #expect(skips.count == Self.n - 1)
        // The whole chain in every skip would be ~n²/2 names.
        let names = skips.reduce(0) { $0 + $1.chain.count }
        #expect(names <= 2 * Self.n)
        #expect(graph.edgeVisits <= 4 * Self.n)
    }
}
