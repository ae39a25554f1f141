import SyncCore
import Synchronization

/// The dependency tree's lines without what changes with a status: which unit each line shows, under which
/// parent, and whether it repeats a unit listed above. The shape changes only when a unit is registered or an edge
/// added, not with the steady stream of status changes; the model keeps it (see ``TreeShapeCache``) so that drawing
/// the tree or moving its cursor costs the lines shown, not a walk of the whole graph. A line's status, whether its
/// edge is satisfied, its guides and its key are read from the shape and the graph when the line is asked for.
///
/// The lines are those of ``DashboardModel/treeLines`` without a filter, in the same order.
struct TreeShape: Sendable {
    /// Per line, in order: its unit.
    private(set) var units: [String] = []
    /// Per line: the index of its parent line, `-1` for a root.
    private(set) var parents: [Int32] = []
    /// Per line: the index after its last descendant line.
    private(set) var ends: [Int32] = []
    /// Per line: the status its parent's edge requires of it (`nil` for a root).
    private(set) var required: [UnitStatus?] = []
    /// Per line: its dependencies were listed above (see ``TreeLine/isRepeat``).
    private(set) var repeats: [Bool] = []
    /// The first line of each unit.
    private var firstLines: [UnitKey: Int] = [:]

    /// The tree of `graph`: every registered unit nobody depends on is a root, in name order, its dependencies
    /// below it in name order; a unit reached again is listed without its dependencies. Built depth first without
    /// recursion, so a long chain cannot exhaust the stack.
    init(_ graph: UnitGraph) {
        var expanded: Set<UnitKey> = []
        /// Lines whose descendants are being listed, with the dependencies still to list (reversed).
        var open: [(line: Int, rest: [DependencyInfo])] = []
        for root in graph.unitNames where graph.dependentCount(of: root) == 0 {
            let line = add(root, parent: -1, required: nil, graph: graph, expanded: &expanded)
            open.append((line, children(of: line, graph: graph)))
            while let top = open.last {
                guard let next = open[open.count - 1].rest.popLast() else {
                    ends[top.line] = Int32(units.count)
                    open.removeLast()
                    continue
                }
                let line = add(
                    next.dependsOn, parent: top.line, required: next.requiredStatus, graph: graph,
                    expanded: &expanded)
                open.append((line, children(of: line, graph: graph)))
            }
        }
    }

    /// Adds the line of `unit` and marks the unit expanded unless the line repeats it. - Returns: its index.
    private mutating func add(
        _ unit: String, parent: Int, required: UnitStatus?, graph: UnitGraph, expanded: inout Set<UnitKey>
    ) -> Int {
        let key = UnitKey(unit)
        let isRepeat = graph.dependencyCount(of: unit) > 0 && expanded.contains(key)
        if !isRepeat { expanded.insert(key) }
        let index = units.count
        units.append(unit)
        parents.append(Int32(parent))
        ends.append(Int32(index + 1))
        self.required.append(required)
        repeats.append(isRepeat)
        if firstLines[key] == nil { firstLines[key] = index }
        return index
    }

    /// The dependencies to list below `line`, last first (none for a repeat).
    private func children(of line: Int, graph: UnitGraph) -> [DependencyInfo] {
        repeats[line] ? [] : graph.dependencies(of: units[line]).reversed()
    }

    /// Number of lines.
    var count: Int { units.count }

    /// Line `index`, with the status and satisfaction `graph` gives now.
    func line(_ index: Int, in graph: UnitGraph) -> TreeLine {
        let unit = units[index]
        let status = graph.status(of: unit)
        var guides: [Bool] = []
        var ancestor = Int(parents[index])
        while ancestor >= 0, parents[ancestor] >= 0 {
            guides.append(!isLast(ancestor))
            ancestor = Int(parents[ancestor])
        }
        return TreeLine(
            key: key(of: index), unit: unit, status: status, guides: guides.reversed(),
            isLast: parents[index] < 0 ? nil : isLast(index),
            satisfied: required[index].map { status == $0 }, isRepeat: repeats[index])
    }

    /// Whether a line that has a parent is its parent's last child.
    private func isLast(_ index: Int) -> Bool { ends[index] == ends[Int(parents[index])] }

    /// The path of line `index`: the units from its root down to it, joined by U+001F (see ``TreeLine/key``).
    func key(of index: Int) -> String {
        var path = [units[index]]
        var ancestor = Int(parents[index])
        while ancestor >= 0 {
            path.append(units[ancestor])
            ancestor = Int(parents[ancestor])
        }
        return path.reversed().joined(separator: "\u{1F}")
    }

    /// The line whose path is `key`, found by walking down from its root; `nil` when no line has it.
    func index(ofKey key: String) -> Int? {
        var names = key.utf8.split(separator: 0x1F, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }[...]
        guard let root = names.popFirst(), let first = firstLines[UnitKey(root)], parents[first] < 0 else {
            return nil
        }
        var line = first
        for name in names {
            var child = line + 1
            while child < Int(ends[line]), !sameBytes(units[child], name) { child = Int(ends[child]) }
            guard child < Int(ends[line]) else { return nil }
            line = child
        }
        return line
    }

    /// The first line of `unit`, if it has one.
    func firstLine(of unit: String) -> Int? { firstLines[UnitKey(unit)] }
}

/// The model's ``TreeShape``, built when first asked for. A model replaces its cache with an empty one whenever the
/// graph's shape changes, so every copy of the model that shares a cache has the same shape: filling it in (from a
/// renderer's copy of the model, say) serves them all, and the pure functions of the model stay pure.
final class TreeShapeCache: Sendable {
    private let shape = Mutex<TreeShape?>(nil)

    /// The shape, built from `graph` the first time.
    func shape(of graph: UnitGraph) -> TreeShape {
        shape.withLock { kept in
            if let kept { return kept }
            let built = TreeShape(graph)
            kept = built
            return built
        }
    }
}
