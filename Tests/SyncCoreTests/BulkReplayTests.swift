import Testing

@testable import SyncCore

/// A bulk replay (``UnitGraph/beginReplay()`` … ``UnitGraph/endReplay()``, how the agent reads its journal) leaves
/// readiness and the dependency order to its end; the graph it gives must be the one the events give replayed one
/// by one, and the one that recorded them.
struct BulkReplayTests {
    /// A graph that went through `steps` random requests on a few names: wants, starts, completions, failures,
    /// parked starts, edges requiring other statuses, notes.
    static func randomGraph(steps: Int, seed: UInt64) -> UnitGraph {
        var random = SeededRandom(seed: seed)
        var graph = tickingGraph()
        let names = (0..<12).map { "u\($0)" }
        var waitID: UInt64 = 1
        for _ in 0..<steps {
            let unit = names[random.below(names.count)]
            let other = names[random.below(names.count)]
            switch random.below(9) {
            case 0, 1: try? graph.want(unit, dependsOn: other)
            case 2: try? graph.addDependency(unit, on: other, requiring: random.below(2) == 0 ? .started : .failed)
            case 3: _ = try? graph.start(unit, wait: nil, token: "t\(waitID)")
            case 4:
                _ = try? graph.start(unit, wait: WaitID(waitID))
                waitID += 1
            case 5: try? graph.complete(unit)
            case 6: try? graph.fail(unit, reason: "exit \(random.below(3))")
            case 7: try? graph.note(unit, "step")
            default: try? graph.register(unit)
            }
            _ = graph.drainResolutions()
        }
        return graph
    }

    @Test(arguments: 0..<40)
    func givesTheGraphOfTheEventsReplayedOneByOne(seed: UInt64) throws {
        var live = Self.randomGraph(steps: 120, seed: seed)
        let events = live.drainEvents()
        var single = fixedGraph()
        for event in events { single.replay(event) }
        var bulk = fixedGraph()
        bulk.beginReplay()
        for event in events { bulk.replay(event) }
        let acyclic = bulk.endReplay()
        #expect(acyclic)
        // The live graph's snapshot also counts its parked starts, which no replay restores.
        #expect(bulk.snapshot == single.snapshot)
        #expect(bulk.snapshot.units.map(\.status) == live.snapshot.units.map(\.status))
        #expect(bulk.snapshot.edges == live.snapshot.edges)
        #expect(bulk.nextSequence == live.nextSequence)
        for unit in live.unitNames {
            #expect(bulk.isReady(unit) == live.isReady(unit), "readiness of \(unit)")
            #expect(bulk.unmetDependencies(of: unit) == live.unmetDependencies(of: unit))
        }
        // The rebuilt order refuses the same loops and takes the same edges as the one kept edge by edge.
        for unit in (0..<12).map({ "u\($0)" }) {
            for dependency in (0..<12).map({ "u\($0)" }) {
                var bulkCopy = bulk
                var liveCopy = live
                let bulkRefused = (try? bulkCopy.want(unit, dependsOn: dependency)) == nil
                let liveRefused = (try? liveCopy.want(unit, dependsOn: dependency)) == nil
                #expect(bulkRefused == liveRefused, "want \(unit) \(dependency)")
            }
        }
        // And goes on as the graph replayed one by one does: a completion readies the same dependents.
        for unit in live.unitNames where live.status(of: unit) == .started {
            var bulkCopy = bulk
            var singleCopy = single
            try bulkCopy.complete(unit)
            try singleCopy.complete(unit)
            #expect(bulkCopy.snapshot == singleCopy.snapshot)
            #expect(bulkCopy.drainEvents() == singleCopy.drainEvents())
        }
    }

    /// `replayChecked` applies what `replay` applies, and refuses (changing nothing) exactly the events the
    /// journal's reader refuses for their state: a second registration, a status change of an unregistered unit.
    @Test(arguments: 0..<10)
    func replayCheckedRefusesWhatNoRequestCouldHaveDoneAndAppliesTheRest(seed: UInt64) {
        var live = Self.randomGraph(steps: 120, seed: seed)
        let events = live.drainEvents()
        var plain = fixedGraph()
        var checked = fixedGraph()
        plain.beginReplay()
        checked.beginReplay()
        for event in events {
            plain.replay(event)
            let applied = checked.replayChecked(event)
            #expect(applied)
        }
        #expect(plain.endReplay() == checked.endReplay())
        #expect(checked.snapshot == plain.snapshot)
        #expect(checked.nextSequence == plain.nextSequence)

        let next = checked.nextSequence
        let before = checked.snapshot
        let registered = checked.unitNames.first!
        let refused: [SyncEvent.Kind] = [
            .registered(unit: registered),
            .statusChanged(unit: "ghost", from: .pending, to: .started, reason: nil, cause: nil),
        ]
        for kind in refused {
            let applied = checked.replayChecked(SyncEvent(sequence: next, time: fixedTime, kind: kind))
            #expect(!applied)
        }
        #expect(checked.snapshot == before)
        #expect(checked.nextSequence == next)
        let ghost = SyncEvent(sequence: next, time: fixedTime, kind: .registered(unit: "ghost"))
        let registers = checked.replayChecked(ghost)
        #expect(registers)
        #expect(checked.nextSequence == next + 1)
    }

    @Test func findsALoopOnlyAtTheEnd() {
        var graph = fixedGraph()
        graph.beginReplay()
        let kinds: [SyncEvent.Kind] = [
            .registered(unit: "a"), .registered(unit: "b"), .registered(unit: "c"),
            .dependencyAdded(unit: "a", dependsOn: "b", required: .completed),
            .dependencyAdded(unit: "b", dependsOn: "c", required: .completed),
            .dependencyAdded(unit: "c", dependsOn: "a", required: .completed),
        ]
        for (index, kind) in kinds.enumerated() {
            graph.replay(SyncEvent(sequence: UInt64(index + 1), time: fixedTime, kind: kind))
        }
        let acyclic = graph.endReplay()
        #expect(!acyclic)

        var selfLoop = fixedGraph()
        selfLoop.beginReplay()
        selfLoop.replay(SyncEvent(sequence: 1, time: fixedTime, kind: .registered(unit: "a")))
        selfLoop.replay(
            SyncEvent(
                sequence: 2, time: fixedTime, kind: .dependencyAdded(unit: "a", dependsOn: "a", required: .completed)))
        let selfLoopAcyclic = selfLoop.endReplay()
        #expect(!selfLoopAcyclic)
    }

    @Test func aLongChainAndAWideFanReplayWithoutALoop() {
        var graph = fixedGraph()
        var kinds: [SyncEvent.Kind] = []
        for index in 0..<5_000 {
            kinds.append(.registered(unit: "c\(index)"))
            if index > 0 {
                kinds.append(.dependencyAdded(unit: "c\(index)", dependsOn: "c\(index - 1)", required: .completed))
            }
            kinds.append(.dependencyAdded(unit: "fan\(index)", dependsOn: "c0", required: .completed))
        }
        graph.beginReplay()
        for (index, kind) in kinds.enumerated() {
            graph.replay(SyncEvent(sequence: UInt64(index + 1), time: fixedTime, kind: kind))
        }
        let chainAcyclic = graph.endReplay()
        #expect(chainAcyclic)
        #expect(graph.isReady("c0"))
        #expect(!graph.isReady("c1"))
        #expect(throws: SyncError.self) { try graph.want("c0", dependsOn: "c4999") }
    }
}

extension SeededRandom {
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
