import SyncCore

/// The dependency tree as the renderer and the cursor see it: its lines by index and the cursor's line. Backed by
/// the model's kept ``TreeShape`` when there is no filter (a line is then built only when asked for, and finding
/// the cursor walks one path), else by ``DashboardModel/treeLines``; both give the same lines in the same order.
public struct TreeTable {
    private let model: DashboardModel
    private let shape: TreeShape?
    private let lines: [TreeLine]

    init(_ model: DashboardModel) {
        self.model = model
        if model.filter.isEmpty {
            shape = model.treeShape.shape(of: model.graph)
            lines = []
        } else {
            shape = nil
            lines = model.treeLines
        }
    }

    /// Number of lines.
    public var count: Int { shape?.count ?? lines.count }

    /// The line at `index` (`0..<count`).
    public subscript(index: Int) -> TreeLine {
        guard let shape else { return lines[index] }
        return shape.line(index, in: model.graph)
    }

    /// The index of the cursor's line: the line of ``DashboardModel/treeCursor``, else the first line of the
    /// selected unit, else the first line; `nil` without lines.
    public var cursorIndex: Int? {
        guard let shape else { return model.treeIndex(in: lines) }
        guard shape.count > 0 else { return nil }
        if let key = model.treeCursor, let index = shape.index(ofKey: key) { return index }
        return model.selectedUnit.flatMap { shape.firstLine(of: $0) } ?? 0
    }
}
