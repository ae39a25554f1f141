import SyncCore

/// The help overlay: a centred box listing every key binding, and what the glyphs mean.
extension Renderer {
    mutating func drawHelp() {
        let bindings = KeyBindings.all(theme)
        let keysWidth = bindings.map(\.keys.terminalWidth).max() ?? 0
        var lines: [[Segment]] = bindings.map {
            [
                Segment(Format.pad($0.keys, keysWidth + 2, ellipsis: theme.ellipsis), Style(.accent, bold: true)),
                Segment($0.action),
            ]
        }
        let room = buffer.width - 4
        let statuses: [UnitStatus?] = [.completed, .started, .pending, .failed, .skipped, nil]
        let legend = statuses.map { [Segment(theme.label($0), Style(.status($0))), Segment("  ")] }
        let oneLine = legend.flatMap { $0 }
        lines.append([])
        if oneLine.width <= room {
            lines.append(oneLine)
        } else {
            lines.append(legend.prefix(3).flatMap { $0 })
            lines.append(legend.suffix(3).flatMap { $0 })
        }
        lines.append([
            Segment(String(repeating: theme.waitBar, count: 3), Style(.pending)), Segment(" waiting  "),
            Segment(String(repeating: theme.runBar, count: 3), Style(.started)), Segment(" running  "),
            Segment(String(theme.criticalMark), Style(.accent, bold: true)), Segment(" critical path"),
        ])
        let innerWidth = min(room, max(lines.map(\.width).max() ?? 0, 20))
        let height = min(buffer.height - 1, lines.count + 4)
        let width = innerWidth + 4
        let x = (buffer.width - width) / 2
        let y = max(0, (buffer.height - height) / 2)
        box(x: x, y: y, width: width, height: height, title: "Keys")
        let shown = height - 4
        for (offset, line) in lines.prefix(shown).enumerated() {
            buffer.put(line, x: x + 2, y: y + 1 + offset, fitting: innerWidth, ellipsis: theme.ellipsis)
        }
        let closing =
            lines.count > shown ? "\(theme.ellipsis) more in a taller terminal · Esc closes" : "Esc or ? closes"
        buffer.put(closing, x: x + 2, y: y + height - 2, style: .dim, limit: innerWidth)
    }

    /// A bordered, blanked box with a title in its top edge.
    mutating func box(x: Int, y: Int, width: Int, height: Int, title: String) {
        for row in y..<(y + height) { buffer.fill(x: x, y: row, count: width) }
        buffer.fill(theme.horizontal, x: x + 1, y: y, count: width - 2, style: .dim)
        buffer.fill(theme.horizontal, x: x + 1, y: y + height - 1, count: width - 2, style: .dim)
        for row in (y + 1)..<(y + height - 1) {
            buffer.put(String(theme.vertical), x: x, y: row, style: .dim)
            buffer.put(String(theme.vertical), x: x + width - 1, y: row, style: .dim)
        }
        buffer.put(String(theme.topLeft), x: x, y: y, style: .dim)
        buffer.put(String(theme.topRight), x: x + width - 1, y: y, style: .dim)
        buffer.put(String(theme.bottomLeft), x: x, y: y + height - 1, style: .dim)
        buffer.put(String(theme.bottomRight), x: x + width - 1, y: y + height - 1, style: .dim)
        buffer.put(" \(title) ", x: x + 2, y: y, style: Style(.header, bold: true))
    }
}
