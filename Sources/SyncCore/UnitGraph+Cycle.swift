extension UnitGraph {
    /// The loop that the edge `unit -> dependency` would close, as the list of names around it starting and ending
    /// with `unit` (`["a", "b", "a"]`), or `nil` when the edge is safe.
    ///
    /// Costs nothing when the edge agrees with the graph's topological order (see `UnitGraph+Order.swift`);
    /// otherwise searches the names ranked between its ends, and only when that finds a loop, everything
    /// `dependency` reaches, in name order, so the loop reported is the same on every run.
    func cycle(adding unit: UnitKey, _ dependency: UnitKey) -> [String]? {
        if unit == dependency { return [unit.name, unit.name] }
        guard closesLoop(unit, dependency) else { return nil }
        var parent: [UnitKey: UnitKey] = [dependency: dependency]
        var stack = [dependency]
        while let node = stack.popLast() {
            for next in (forward[node] ?? [:]).keys.sorted() where parent[next] == nil {
                parent[next] = node
                if next == unit {
                    var path = [unit.name]
                    var cursor = node
                    while cursor != dependency {
                        path.append(cursor.name)
                        cursor = parent[cursor]!
                    }
                    path.append(dependency.name)
                    return [unit.name] + path.reversed()
                }
                stack.append(next)
            }
        }
        return nil
    }
}
