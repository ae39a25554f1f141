/// Keeps ``UnitGraph/order`` true as edges are added, so a new edge is checked for a cycle without searching when
/// it agrees with the order (its dependency already ranks below it: the usual case, e.g. a unit declaring what it
/// needs before anything depends on it), and otherwise by searching only the names ranked between its two ends.
extension UnitGraph {
    /// Whether the edge `unit -> dependency` would close a loop, i.e. `dependency` already reaches `unit`.
    func closesLoop(_ unit: UnitKey, _ dependency: UnitKey) -> Bool {
        if unit == dependency { return true }
        guard let low = order.rank[unit], let high = order.rank[dependency], high > low else { return false }
        // Ranks fall along every dependency edge, so a path from `dependency` down to `unit` stays above `low`.
        return reach(from: dependency, along: forward, staying: { $0 >= low }).contains(unit)
    }

    /// Updates the order for the new edge `unit -> dependency` (which closes no loop). Cost: nothing when the edge
    /// agrees with the order; otherwise the names ranked between its ends that it affects.
    mutating func orderEdge(_ unit: UnitKey, _ dependency: UnitKey) {
        order.placeAtBottom(dependency)
        order.placeOnTop(unit)
        let low = order.rank[unit]!
        let high = order.rank[dependency]!
        guard high > low else { return }
        // What `dependency` needs must now rank below `unit` and everything that needs `unit`.
        let needed = reach(from: dependency, along: forward, staying: { $0 > low })
        let needing = reach(from: unit, along: reverse, staying: { $0 < high })
        order.reorder(lower: Array(needed), upper: Array(needing))
    }

    /// Ranks every name from scratch (after loading a whole snapshot): dependencies first, depth-first over the names
    /// by id (as a bulk replay's end ranks them, ``ranks(keys:dependencies:edgeDependency:)``); which order is of no
    /// consequence: any topological order serves.
    /// - Returns: whether the edges are free of loops; when one closes, the ranks are not a topological order.
    @discardableResult
    mutating func rebuildOrder() -> Bool {
        var ids = UnitIds()
        var edgeUnit: [Int32] = []
        var edgeDependency: [Int32] = []
        edgeUnit.reserveCapacity(edgeCount)
        edgeDependency.reserveCapacity(edgeCount)
        for name in units.keys { _ = ids.intern(name) }
        for (unit, dependencies) in forward {
            let unitID = Int32(ids.intern(unit))
            for dependency in dependencies.keys {
                edgeUnit.append(unitID)
                edgeDependency.append(Int32(ids.intern(dependency)))
            }
        }
        for name in reverse.keys { _ = ids.intern(name) }
        let (ranks, acyclic) = Self.ranks(
            keys: ids.keys, dependencies: EdgeGroups(by: edgeUnit, ids: ids.count), edgeDependency: edgeDependency)
        order.reset(ranks: ranks, count: ids.count)
        return acyclic
    }

    /// The names reachable from `start` (itself included) along `edges`, through names whose rank passes `keep`.
    private func reach(
        from start: UnitKey, along edges: [UnitKey: [UnitKey: UnitStatus]], staying keep: (Int) -> Bool
    ) -> Set<UnitKey> {
        var seen: Set<UnitKey> = [start]
        var stack = [start]
        while let name = stack.popLast() {
            for next in (edges[name] ?? [:]).keys where !seen.contains(next) {
                guard let rank = order.rank[next], keep(rank) else { continue }
                seen.insert(next)
                stack.append(next)
            }
        }
        return seen
    }
}
