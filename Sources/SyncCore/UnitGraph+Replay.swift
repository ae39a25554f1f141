/// A bulk replay: a long run of recorded events (a journal read at start-up) applied with the upkeep that costs
/// lookups per event, the unmet counts and the dependency order, left to one pass over the whole graph at the end.
/// A journal of a million events spends most of its replay on that upkeep otherwise: every status change visits
/// each dependent of its unit, every edge moves two names in the order.
extension UnitGraph {
    /// Starts a bulk replay. Until ``endReplay()``, ``replay(_:)`` keeps registrations, edges, statuses and notes
    /// as always, but readiness (``isReady(_:)``, the unmet counts) is not kept and no loop is looked for.
    public mutating func beginReplay() {
        maintainsOrder = false
        countsUnmet = false
    }

    /// Ends a bulk replay: counts each unit's unmet dependencies and ranks every name again, one pass over the
    /// units and edges. The graph is then the one the same events replayed one by one give.
    /// - Returns: whether the edges are free of loops (a journal whose edges close one was edited by hand).
    @discardableResult
    public mutating func endReplay() -> Bool {
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
