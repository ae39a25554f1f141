import Testing

@testable import SyncCore

/// Readiness is kept incrementally: a change touches the dependents of the unit that changed and the waits on
/// them, nothing else. Asserted on what changed (resolutions, events, statuses), not on time.
struct IncrementalTests {
    static let groups = 100
    static let members = 99

    /// 100 groups of one started root and 99 units that want it, each with a parked start: 10,000 units.
    static func groupedGraph() throws -> (UnitGraph, waits: [[WaitID]]) {
        var graph = fixedGraph()
        var waits: [[WaitID]] = []
        var next: UInt64 = 0
        for group in 0..<groups {
            let root = "root-\(group)"
            try graph.startNow(root)
            var ids: [WaitID] = []
            for member in 0..<members {
                let unit = "unit-\(group)-\(member)"
                try graph.want(unit, dependsOn: root)
                next += 1
                try graph.park(unit, as: next)
                ids.append(WaitID(next))
            }
            waits.append(ids)
        }
        _ = graph.drainEvents()
        return (graph, waits)
    }

    @Test func oneCompleteReleasesExactlyItsDependents() throws {
        var (graph, waits) = try Self.groupedGraph()
        #expect(graph.unitCount == 10_000)

        try graph.complete("root-42")
        let resolutions = graph.drainResolutions()
        // Dependents are released in no particular order; the set is exact.
        #expect(resolutions.map(\.id).sorted() == waits[42])
        #expect(resolutions.allSatisfy { $0.startedInfo?.unsatisfiedAtStart == ["root-42"] })

        let events = graph.drainEvents()
        #expect(events.count == 1 + 2 * Self.members)
        let group = Set(["root-42"] + (0..<Self.members).map { "unit-42-\($0)" })
        #expect(Set(events.map(\.unit)) == group)
        #expect(events.map(\.sequence) == Array(events[0].sequence...events[0].sequence + UInt64(events.count - 1)))

        let others = graph.allUnits.filter { !group.contains($0.name) }
        #expect(others.filter { $0.name.hasPrefix("unit-") }.allSatisfy { $0.status == .pending && $0.waiters == 1 })
        #expect(others.filter { $0.name.hasPrefix("root-") }.allSatisfy { $0.status == .started })
    }

    @Test func oneFailureReleasesExactlyItsDependents() throws {
        var (graph, waits) = try Self.groupedGraph()
        try graph.fail("root-7", reason: "exit 1")
        let resolutions = graph.drainResolutions()
        #expect(resolutions.map(\.id).sorted() == waits[7])
        #expect(resolutions.allSatisfy { $0.error?.code == .dependencyFailed && $0.error?.cause?.chain.count == 2 })
        // The failure, then a skip and a released wait per dependent.
        #expect(graph.drainEvents().count == 1 + 2 * Self.members)
        #expect(graph.allUnits.filter { $0.status == .skipped }.count == Self.members)
    }

    @Test func aCompleteInALongChainReleasesOnlyTheNextUnit() throws {
        var graph = fixedGraph()
        let count = 10_000
        // Built from the far end so each cycle check has nothing to search.
        for index in stride(from: count - 1, to: 0, by: -1) {
            try graph.want("u\(index)", dependsOn: "u\(index - 1)")
        }
        for index in 1..<count { try graph.park("u\(index)", as: UInt64(index)) }
        try graph.startNow("u0")
        _ = graph.drainEvents()

        try graph.complete("u0")
        #expect(graph.drainResolutions().map(\.id) == [WaitID(1)])
        #expect(graph.drainEvents().count == 3)

        try graph.complete("u1")
        #expect(graph.drainResolutions().map(\.id) == [WaitID(2)])
        #expect(graph.info("u3")?.waiters == 1)
        #expect(graph.info("u\(count - 1)")?.waiters == 1)
        #expect(graph.unmetDependencies(of: "u3").map(\.dependsOn) == ["u2"])
    }
}
