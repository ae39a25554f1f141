/// A bulk replay: a long run of recorded events (a journal read at start-up) applied to arrays indexed by unit id
/// (``BulkReplay``), with the upkeep that costs lookups per event, the unmet counts and the dependency order, left
/// to one pass over the whole graph at the end, which also builds the graph's dictionaries, each at its final size.
/// A journal of a million events spends most of its replay on that upkeep and on hashing names otherwise: every
/// status change visits each dependent of its unit, every edge moves two names in the order, and every event looks
/// its names up in several dictionaries.
extension UnitGraph {
    /// Starts a bulk replay. Until ``endReplay()``, ``replay(_:)`` and ``replayChecked(_:)`` keep registrations,
    /// edges, statuses, notes and readiness reports as always, but of the queries only ``status(of:)`` and
    /// ``isRegistered(_:)`` answer (the others see the graph as it was before), readiness (the unmet counts) is not
    /// kept and no loop is looked for.
    public mutating func beginReplay() {
        maintainsOrder = false
        countsUnmet = false
        bulk = BulkReplay(from: self)
        units = [:]
        forward = [:]
        reverse = [:]
        order = TopologicalOrder()
    }

    /// Ends a bulk replay: builds the units and edges, counts each unit's unmet dependencies and ranks every name
    /// again, one pass over the units and edges. The graph is then the one the same events replayed one by one give.
    /// - Returns: whether the edges are free of loops (a journal whose edges close one was edited by hand).
    @discardableResult
    public mutating func endReplay() -> Bool {
        guard let replay = bulk else { return recount() }
        bulk = nil
        let keys = replay.ids.keys
        let byUnit = EdgeGroups(by: replay.edgeUnit, ids: keys.count)
        let byDependency = EdgeGroups(by: replay.edgeDependency, ids: keys.count)
        let statuses = replay.records.map { $0?.status }
        var units = [UnitKey: UnitRecord](minimumCapacity: replay.records.count)
        var forward = [UnitKey: [UnitKey: UnitStatus]](minimumCapacity: keys.count)
        var reverse = [UnitKey: [UnitKey: UnitStatus]](minimumCapacity: keys.count)
        for id in keys.indices {
            if var record = replay.records[id] {
                var unmet = 0
                for edge in byUnit.edges(of: id)
                where statuses[Int(replay.edgeDependency[Int(edge)])] != replay.edgeRequired[Int(edge)] {
                    unmet += 1
                }
                record.unmet = unmet
                units[keys[id]] = record
            }
            if byUnit.count(of: id) > 0 {
                var dependencies = [UnitKey: UnitStatus](minimumCapacity: byUnit.count(of: id))
                for edge in byUnit.edges(of: id) {
                    dependencies[keys[Int(replay.edgeDependency[Int(edge)])]] = replay.edgeRequired[Int(edge)]
                }
                forward[keys[id]] = dependencies
            }
            if byDependency.count(of: id) > 0 {
                var dependents = [UnitKey: UnitStatus](minimumCapacity: byDependency.count(of: id))
                for edge in byDependency.edges(of: id) {
                    dependents[keys[Int(replay.edgeUnit[Int(edge)])]] = replay.edgeRequired[Int(edge)]
                }
                reverse[keys[id]] = dependents
            }
        }
        self.units = units
        self.forward = forward
        self.reverse = reverse
        edgeCount = replay.edgeCount
        failureEpoch = replay.failureEpoch
        let (ranks, acyclic) = Self.ranks(keys: keys, dependencies: byUnit, edgeDependency: replay.edgeDependency)
        order.reset(ranks: ranks, count: keys.count)
        maintainsOrder = true
        countsUnmet = true
        return acyclic
    }

    /// Every name ranked so that dependencies come first: `keys` by id, the dependencies of id `i` the dependency
    /// ends of the edges `dependencies` groups under `i`.
    /// - Returns: the ranks, and whether the edges are free of loops.
    static func ranks(
        keys: [UnitKey], dependencies: EdgeGroups, edgeDependency: [Int32]
    ) -> (ranks: [UnitKey: Int], acyclic: Bool) {
        // A name's rank once ranked; `onPath` while the search is below it.
        let unranked = -2
        let onPath = -1
        var rank = [Int](repeating: unranked, count: keys.count)
        var next = 0
        var acyclic = true
        var stack: [(id: Int, expanded: Bool)] = []
        for root in keys.indices where rank[root] == unranked {
            // Iterative post-order: a name is ranked after all it depends on.
            stack.append((root, false))
            while let (id, expanded) = stack.popLast() {
                if expanded {
                    rank[id] = next
                    next += 1
                    continue
                }
                guard rank[id] == unranked else { continue }
                rank[id] = onPath
                stack.append((id, true))
                for edge in dependencies.edges(of: id) {
                    let dependency = Int(edgeDependency[Int(edge)])
                    switch rank[dependency] {
                    case unranked: stack.append((dependency, false))
                    // A name on the search's path: the names from it down to here close a loop.
                    case onPath: acyclic = false
                    default: break
                    }
                }
            }
        }
        var ranks = [UnitKey: Int](minimumCapacity: keys.count)
        for (id, key) in keys.enumerated() { ranks[key] = rank[id] }
        return (ranks, acyclic)
    }

    /// The end of a replay that did not begin with ``beginReplay()``: the unmet counts and the order rebuilt from
    /// the dictionaries.
    private mutating func recount() -> Bool {
        for (unit, dependencies) in forward {
            guard let index = units.index(forKey: unit) else { continue }
            var unmet = 0
            for (dependency, required) in dependencies where units[dependency]?.status != required { unmet += 1 }
            units.values[index].unmet = unmet
        }
        let acyclic = rebuildOrder()
        maintainsOrder = true
        countsUnmet = true
        return acyclic
    }
}
