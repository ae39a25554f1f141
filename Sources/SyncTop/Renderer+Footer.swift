/// The footer: key hints that shrink to fit, or the filter prompt.
extension Renderer {
    mutating func drawFooter() {
        let y = layout.footerY
        if model.isEditingFilter {
            let cursor = theme.unicode ? "▏" : "_"
            let help = "  Enter keeps · Esc clears"
            let x = buffer.put(
                [
                    Segment("/", Style(.accent, bold: true)), Segment(model.filter, Style(.accent, bold: true)),
                    Segment(cursor, Style(.accent)),
                ], x: 0, y: y)
            buffer.put(help, x: x, y: y, style: .dim)
            return
        }
        buffer.put(footerHints(fitting: buffer.width), x: 0, y: y)
    }

    /// The hints as segments: `q quit  ? help  Tab view …`. Too wide, they lose their descriptions from the least
    /// important up, then the least important keys.
    func footerHints(fitting width: Int) -> [Segment] {
        let hints = KeyBindings.hints(for: model, theme: theme)
        func build(_ count: Int, described: Int) -> [Segment] {
            var segments: [Segment] = []
            for (index, hint) in hints.prefix(count).enumerated() {
                if index > 0 { segments.append(Segment(index <= described ? "  " : " ")) }
                segments.append(Segment(hint.key, Style(.accent, bold: true)))
                if index < described { segments.append(Segment(" " + hint.label, .dim)) }
            }
            return segments
        }
        for described in stride(from: hints.count, through: 0, by: -1) {
            let segments = build(hints.count, described: described)
            if segments.width <= width { return segments }
        }
        for count in stride(from: hints.count - 1, through: 1, by: -1) {
            let segments = build(count, described: 0)
            if segments.width <= width { return segments }
        }
        return build(1, described: 0)
    }
}
