import Testing

@testable import SyncCore

/// The bulk replay keeps its state by unit id (``BulkReplay``, ``UnitIds``) and builds the graph's dictionaries at
/// its end: over every kind of event (notes, readiness reports, failures and the skips they cause, cancelled and
/// timed-out waits, statuses set by a manager, edges requiring every status, edges re-added with another status),
/// the graph it gives must be, field for field, the one the events give replayed one by one.
struct BulkReplayByIdTests {
    /// A graph that went through `steps` random requests of every kind on a few names.
    static func richGraph(steps: Int, seed: UInt64) -> UnitGraph {
        var random = SeededRandom(seed: seed)
        var graph = tickingGraph()
        let names = (0..<14).map { "u\($0)" } + ["café", "cafe\u{301}"]
        let statuses: [UnitStatus] = [.pending, .started, .completed, .failed, .skipped]
        var waits: [WaitID] = []
        var nextWait: UInt64 = 1
        for _ in 0..<steps {
            let unit = names[random.below(names.count)]
            let other = names[random.below(names.count)]
            switch random.below(14) {
            case 0, 1: try? graph.want(unit, dependsOn: other)
            case 2:
                try? graph.addDependency(unit, on: other, requiring: statuses[random.below(statuses.count)])
            case 3: _ = try? graph.start(unit, wait: nil, token: "t\(random.below(4))")
            case 4:
                if (try? graph.start(unit, wait: WaitID(nextWait))) != nil { waits.append(WaitID(nextWait)) }
                nextWait += 1
            case 5:
                if !waits.isEmpty {
                    let wait = waits.remove(at: random.below(waits.count))
                    _ = graph.endWait(wait, outcome: random.below(2) == 0 ? .cancelled : .timeout)
                }
            case 6, 7: try? graph.complete(unit)
            case 8: try? graph.fail(unit, reason: random.below(2) == 0 ? nil : "exit \(random.below(3))")
            case 9: try? graph.note(unit, "step \(random.below(5))")
            case 10:
                let report = ReadinessReport(
                    checks: random.below(2) == 0 ? [] : ["tcp:127.0.0.1:\(random.below(3))"],
                    attempts: random.below(5), result: random.below(2) == 0 ? nil : "refused")
                try? graph.reportReadiness(unit, report)
            case 11:
                try? graph.updateStatus(unit, to: statuses[random.below(statuses.count)], reason: "by hand")
            default: try? graph.register(unit)
            }
            _ = graph.drainResolutions()
        }
        return graph
    }

    /// Expects `a` and `b` to hold the same units, records, edges, counts and order constraints.
    static func expectSame(_ a: UnitGraph, _ b: UnitGraph, names: [String]) {
        #expect(a.snapshot == b.snapshot)
        #expect(a.nextSequence == b.nextSequence)
        #expect(a.edgeCount == b.edgeCount)
        #expect(a.failureEpoch == b.failureEpoch)
        #expect(a.unitNames == b.unitNames)
        #expect(a.unregisteredDependencies == b.unregisteredDependencies)
        #expect(Set(a.forward.keys) == Set(b.forward.keys))
        #expect(Set(a.reverse.keys) == Set(b.reverse.keys))
        #expect(Set(a.order.rank.keys) == Set(b.order.rank.keys))
        for name in names {
            let key = UnitKey(name)
            #expect(a.info(name) == b.info(name), "info of \(name)")
            #expect(a.units[key]?.unmet == b.units[key]?.unmet, "unmet of \(name)")
            #expect(a.units[key]?.doomedAt == b.units[key]?.doomedAt, "doomedAt of \(name)")
            #expect(a.forward[key] == b.forward[key], "dependencies of \(name)")
            #expect(a.reverse[key] == b.reverse[key], "dependents of \(name)")
            #expect(a.dependencies(of: name) == b.dependencies(of: name))
            #expect(a.dependents(of: name) == b.dependents(of: name))
        }
        // Each order ranks every dependency below its dependents.
        for graph in [a, b] {
            for (unit, dependencies) in graph.forward {
                for dependency in dependencies.keys {
                    #expect(graph.order.rank[dependency]! < graph.order.rank[unit]!)
                }
            }
        }
    }

    static let names = (0..<14).map { "u\($0)" } + ["café", "cafe\u{301}"]

    /// `graph` after a bulk replay of `events` (each through ``UnitGraph/replayChecked(_:)`` when `checked`, which
    /// must apply it), which must find no loop.
    static func replayedInBulk(_ events: ArraySlice<SyncEvent>, onto graph: UnitGraph, checked: Bool) -> UnitGraph {
        var graph = graph
        graph.beginReplay()
        for event in events {
            if checked {
                let applied = graph.replayChecked(event)
                #expect(applied)
            } else {
                graph.replay(event)
            }
        }
        let acyclic = graph.endReplay()
        #expect(acyclic)
        return graph
    }

    @Test(arguments: 0..<40)
    func everyKindOfEventGivesTheGraphOfTheEventsReplayedOneByOne(seed: UInt64) throws {
        var live = Self.richGraph(steps: 200, seed: seed)
        let events = live.drainEvents()
        var single = fixedGraph()
        for event in events { single.replay(event) }
        let bulk = Self.replayedInBulk(events[...], onto: fixedGraph(), checked: false)
        let checked = Self.replayedInBulk(events[...], onto: fixedGraph(), checked: true)
        Self.expectSame(bulk, single, names: Self.names)
        Self.expectSame(checked, single, names: Self.names)
        // Both go on alike: a failure of each unit skips the same dependents with the same events.
        for unit in single.unitNames {
            var bulkCopy = bulk
            var singleCopy = single
            let bulkFailed = (try? bulkCopy.fail(unit, reason: "later")) != nil
            let singleFailed = (try? singleCopy.fail(unit, reason: "later")) != nil
            #expect(bulkFailed == singleFailed)
            #expect(bulkCopy.drainEvents() == singleCopy.drainEvents())
            Self.expectSame(bulkCopy, singleCopy, names: Self.names)
        }
    }

    /// A journal that starts with a snapshot: the bulk replay takes the snapshot's units and edges, then the events
    /// after it.
    @Test(arguments: 0..<20)
    func aReplayAfterASnapshotGivesTheGraphOfTheEventsReplayedOneByOne(seed: UInt64) {
        var live = Self.richGraph(steps: 200, seed: seed)
        let events = live.drainEvents()
        let cut = events.count / 2
        var before = fixedGraph()
        for event in events[..<cut] { before.replay(event) }
        let snapshot = before.snapshot
        var single = UnitGraph(snapshot: snapshot, clock: { fixedTime })
        for event in events[cut...] { single.replay(event) }
        let bulk = Self.replayedInBulk(
            events[cut...], onto: UnitGraph(snapshot: snapshot, clock: { fixedTime }), checked: false)
        Self.expectSame(bulk, single, names: Self.names)
    }

    /// During a bulk replay ``UnitGraph/status(of:)`` and ``UnitGraph/isRegistered(_:)`` answer from the replay's
    /// state (the journal's reader checks events with them), and a refused event changes nothing.
    @Test func statusAndRegistrationAnswerDuringTheReplay() {
        var graph = fixedGraph()
        graph.beginReplay()
        let kinds: [SyncEvent.Kind] = [
            .registered(unit: "a"), .dependencyAdded(unit: "a", dependsOn: "b", required: .completed),
            .statusChanged(unit: "a", from: .pending, to: .started, reason: nil, cause: nil, by: "t"),
        ]
        for (index, kind) in kinds.enumerated() {
            let applied = graph.replayChecked(SyncEvent(sequence: UInt64(index + 1), time: fixedTime, kind: kind))
            #expect(applied)
        }
        #expect(graph.status(of: "a") == .started)
        #expect(graph.isRegistered("a"))
        #expect(!graph.isRegistered("b"))
        #expect(graph.status(of: "b") == nil)
        let ghost = SyncEvent(
            sequence: 4, time: fixedTime,
            kind: .statusChanged(unit: "b", from: .pending, to: .started, reason: nil, cause: nil))
        let applied = graph.replayChecked(ghost)
        #expect(!applied)
        let acyclic = graph.endReplay()
        #expect(acyclic)
        #expect(graph.nextSequence == 4)
        #expect(!graph.isReady("a"))
        #expect(graph.unregisteredDependencies == ["b"])
    }

    /// Names get dense ids in the order first seen, compared as bytes (a precomposed and a decomposed `café` are
    /// two names), across the table's growth.
    @Test func unitIdsAreDenseAndComparedAsBytes() {
        var ids = UnitIds()
        let names = (0..<5_000).map { "unit-\($0)" } + ["café", "cafe\u{301}", ""]
        for (index, name) in names.enumerated() { #expect(ids.intern(name) == index) }
        for (index, name) in names.enumerated() {
            #expect(ids.intern(name) == index)
            #expect(ids.id(of: name) == index)
        }
        #expect(ids.count == names.count)
        #expect(ids.keys.map(\.name) == names)
        #expect(ids.id(of: "unit-5000") == nil)
        #expect(ids.id(of: "cafe") == nil)
    }

    @Test func edgeIdsFindAnEdgeByItsEnds() {
        var edges = EdgeIds()
        var next = 0
        for unit in 0..<300 {
            for dependency in 0..<10 {
                let (index, inserted) = edges.index(unit, dependency, new: next)
                #expect(inserted)
                #expect(index == next)
                next += 1
            }
        }
        #expect(edges.count == 3_000)
        let again = edges.index(7, 3, new: next)
        #expect(again.index == 73 && !again.inserted)
        let reversed = edges.index(3, 7, new: next)
        #expect(reversed.index == 37 && !reversed.inserted)
        let new = edges.index(0, 300, new: next)
        #expect(new.index == next && new.inserted)
    }
}
