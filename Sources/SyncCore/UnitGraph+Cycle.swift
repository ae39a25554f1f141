extension UnitGraph {
    /// The loop that the edge `unit -> dependency` would close, as the list of names around it starting and ending
    /// with `unit` (`["a", "b", "a"]`), or `nil` when the edge is safe.
    ///
    /// Searches only what `dependency` can reach, and only when `unit` has dependents at all.
    func cycle(adding unit: String, _ dependency: String) -> [String]? {
        if unit == dependency { return [unit, unit] }
        // A loop needs `dependency` to reach `unit`, so `unit` must have a dependent: a unit nothing depends on (a
        // script declaring its own needs, the usual case) closes no loop, and the search is skipped.
        guard reverse[unit]?.isEmpty == false else { return nil }
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
