import SyncCore

/// The dependency tree: each unit nobody depends on, with its dependencies below it, coloured by status.
extension Renderer {
    mutating func drawTree() {
        let lines = model.treeTable
        guard let (top, rows) = listArea(.tree, isEmpty: lines.count == 0, emptyText: emptyText) else { return }
        let cursor = lines.cursorIndex
        let first = Viewport.top(stored: model.scrollTop[.tree] ?? 0, cursor: cursor, count: lines.count, rows: rows)
        for (offset, index) in (first..<min(lines.count, first + rows)).enumerated() {
            drawTreeLine(lines[index], y: top + offset, selected: index == cursor)
        }
    }

    /// `│  ├─ ✔ git-clone  completed` with the unmet edge marked, and `(see above)` for a repeat.
    private mutating func drawTreeLine(_ line: TreeLine, y: Int, selected: Bool) {
        let style = rowStyle(status: line.status, unit: line.unit, selected: selected)
        if selected {
            buffer.fill(x: 0, y: y, count: buffer.width, style: style)
            buffer.put(String(theme.pointer), x: 0, y: y, style: style)
        }
        var prefix = ""
        for continues in line.guides { prefix += continues ? theme.treeLine : "   " }
        if let isLast = line.isLast { prefix += isLast ? theme.treeLast : theme.treeBranch }
        var x = buffer.put(prefix, x: 2, y: y, style: selected ? style : .dim)
        x = buffer.put(theme.glyph(line.status) + " " + line.unit, x: x, y: y, style: style)
        var tail = [Segment("  " + line.status.display, selected ? style : Style(.status(line.status)))]
        if line.satisfied == false, line.status?.isFailure != true {
            tail.append(Segment("  (not yet)", selected ? style : .dim))
        }
        if line.isRepeat { tail.append(Segment("  (dependencies shown above)", selected ? style : .dim)) }
        buffer.put(tail, x: x, y: y)
    }
}
