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

    /// Ranks every name from scratch (after loading a whole snapshot or a bulk replay): dependencies first,
    /// depth-first, from every name in the order the dictionaries hold them (which order is of no consequence: any
    /// topological order serves).
    /// - Returns: whether the edges are free of loops; when one closes, the ranks are not a topological order.
    @discardableResult
    mutating func rebuildOrder() -> Bool {
        // A name's rank once ranked; `onPath` while the search is below it. One dictionary for both, handed to the
        // order as it is: a restart ranks 100,000 names and more.
        let onPath = -1
        var ranks: [UnitKey: Int] = [:]
        ranks.reserveCapacity(Swift.max(units.count, forward.count, reverse.count))
        var next = 0
        var acyclic = true
        var stack: [(name: UnitKey, expanded: Bool)] = []
        func search(from root: UnitKey) {
            guard ranks[root] == nil else { return }
            // Iterative post-order: a name is ranked after all it depends on.
            stack.append((root, false))
            while let (name, expanded) = stack.popLast() {
                if expanded {
                    ranks[name] = next
                    next += 1
                    continue
                }
                guard ranks[name] == nil else { continue }
                ranks[name] = onPath
                stack.append((name, true))
                for dependency in (forward[name] ?? [:]).keys {
                    switch ranks[dependency] {
                    case nil: stack.append((dependency, false))
                    // A name on the search's path: the names from it down to here close a loop.
                    case onPath?: acyclic = false
                    default: break
                    }
                }
            }
        }
        for name in units.keys { search(from: name) }
        for name in forward.keys { search(from: name) }
        for name in reverse.keys { search(from: name) }
        order.reset(ranks: ranks, count: next)
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
