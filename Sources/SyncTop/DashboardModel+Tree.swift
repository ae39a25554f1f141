import SyncCore

/// One line of the dependency tree.
public struct TreeLine: Sendable, Equatable {
    /// The path from the root to this line; unique, so the cursor can sit on one of several lines of a unit.
    public var key: String
    public var unit: String
    /// `nil` when nobody registered the unit.
    public var status: UnitStatus?
    /// Per ancestor level below the root: whether that ancestor has later siblings (a guide line continues).
    public var guides: [Bool]
    /// Whether it is the last child of its parent; `nil` for a root.
    public var isLast: Bool?
    /// Whether the edge from its parent is satisfied; `nil` for a root.
    public var satisfied: Bool?
    /// Its dependencies were already listed above, so they are not repeated.
    public var isRepeat: Bool
}

extension DashboardModel {
    /// The dependency tree, as drawn (see ``TreeTable``).
    public var treeTable: TreeTable { TreeTable(self) }

    /// The dependency tree: every unit nobody depends on is a root, its dependencies below it. A unit reached again
    /// is listed without its dependencies (marked ``TreeLine/isRepeat``). With a filter, only lines that match or
    /// lead to a match are kept. Builds every line (``treeTable`` builds only those asked for).
    public var treeLines: [TreeLine] {
        var expanded: Set<UnitKey> = []
        let roots = graph.unitNames.filter { graph.dependentCount(of: $0) == 0 }
        var nodes = roots.map { node(for: $0, key: $0, satisfied: nil, expanded: &expanded) }
        if !filter.isEmpty { nodes = nodes.compactMap(pruned) }
        var lines: [TreeLine] = []
        for node in nodes { flatten(node, guides: [], isLast: nil, into: &lines) }
        return lines
    }

    private struct Node {
        var line: TreeLine
        var children: [Node]
    }

    private func node(for unit: String, key: String, satisfied: Bool?, expanded: inout Set<UnitKey>) -> Node {
        let dependencies = graph.dependencies(of: unit)
        let isRepeat = !dependencies.isEmpty && expanded.contains(UnitKey(unit))
        let line = TreeLine(
            key: key, unit: unit, status: graph.status(of: unit), guides: [], isLast: nil, satisfied: satisfied,
            isRepeat: isRepeat)
        guard !isRepeat else { return Node(line: line, children: []) }
        expanded.insert(UnitKey(unit))
        let children = dependencies.map {
            node(for: $0.dependsOn, key: key + "\u{1F}" + $0.dependsOn, satisfied: $0.isSatisfied, expanded: &expanded)
        }
        return Node(line: line, children: children)
    }

    private func pruned(_ node: Node) -> Node? {
        let children = node.children.compactMap(pruned)
        guard !children.isEmpty || matchesFilter(node.line.unit, node.line.status) else { return nil }
        return Node(line: node.line, children: children)
    }

    private func flatten(_ node: Node, guides: [Bool], isLast: Bool?, into lines: inout [TreeLine]) {
        var line = node.line
        line.guides = guides
        line.isLast = isLast
        lines.append(line)
        let childGuides = isLast.map { guides + [!$0] } ?? guides
        for (index, child) in node.children.enumerated() {
            flatten(child, guides: childGuides, isLast: index == node.children.count - 1, into: &lines)
        }
    }
}
