extension UnitGraph {
    /// The loop that the edge `unit -> dependency` would close, as the list of names around it starting and ending
    /// with `unit` (`["a", "b", "a"]`), or `nil` when the edge is safe.
    ///
    /// Costs nothing when the edge agrees with the graph's topological order (see `UnitGraph+Order.swift`);
    /// otherwise searches the names ranked between its ends, and only when that finds a loop, everything
    /// `dependency` reaches, in name order, so the loop reported is the same on every run.
    func cycle(adding unit: String, _ dependency: String) -> [String]? {
        if unit == dependency { return [unit, unit] }
        guard closesLoop(unit, dependency) else { return nil }
        var parent: [String: String] = [dependency: dependency]
        var stack = [dependency]
        while let node = stack.popLast() {
            for next in (forward[node] ?? [:]).keys.sorted(by: bytewise) where parent[next] == nil {
                parent[next] = node
                if next == unit {
                    var path = [unit]
                    var cursor = node
                    while cursor != dependency {
                        path.append(cursor)
                        cursor = parent[cursor]!
                    }
                    path.append(dependency)
                    return [unit] + path.reversed()
                }
                stack.append(next)
            }
        }
        return nil
    }
}
