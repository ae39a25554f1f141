import SyncCore

/// The event log: every event and connection note, newest last; it follows new entries until the cursor moves.
extension Renderer {
    mutating func drawLog() {
        let entries = model.logEntries
        let empty = model.filter.isEmpty ? "no events yet" : "no event matches \(goQuoted(model.filter))"
        guard let (top, rows) = listArea(.log, isEmpty: entries.isEmpty, emptyText: empty) else { return }
        let cursor = model.logIndex(in: entries)
        let first = Viewport.top(
            stored: model.logCursor == nil ? .max : model.scrollTop[.log] ?? 0, cursor: cursor, count: entries.count,
            rows: rows)
        let units = entries.compactMap { $0.entry.unit }
        let nameWidth = min(24, max(8, units.map(\.terminalWidth).max() ?? 0))
        for (offset, index) in (first..<min(entries.count, first + rows)).enumerated() {
            let selected = model.logCursor != nil && index == cursor
            let origin = model.history.origin(of: entries[index].id)
            drawLogLine(entries[index].entry, origin: origin, y: top + offset, nameWidth: nameWidth, selected: selected)
        }
    }

    /// `09:00:06     #12  git-clone      pending → started`, or a note: `09:00:15           stale: replay finished`.
    /// On a shared store the agent that made the change follows: `pending → started  by pid 4242 on host-b`.
    private mutating func drawLogLine(
        _ entry: HistoryEntry, origin: String?, y: Int, nameWidth: Int, selected: Bool
    ) {
        let base = selected ? Style.normal.reversed : .normal
        if selected {
            buffer.fill(x: 0, y: y, count: buffer.width, style: base)
            buffer.put(String(theme.pointer), x: 0, y: y, style: base)
        }
        func styled(_ style: Style) -> Style { selected ? base : style }
        var segments = [Segment(clock(entry.time) + "  ", styled(.dim))]
        switch entry {
        case .event(let event):
            let status = model.graph.status(of: event.unit)
            segments += [
                Segment(Format.padLeft("#\(event.sequence)", 6) + "  ", styled(.dim)),
                Segment(name(event.unit, width: nameWidth) + "  ", styled(Style(.status(status)))),
                Segment(EventText.describe(event.kind, theme: theme), styled(Style(EventText.role(event.kind)))),
            ]
            if let origin { segments.append(Segment("  " + EventText.by(origin), styled(.dim))) }
        case .note(_, let text):
            segments += [
                Segment(String(repeating: " ", count: 8)),
                Segment("-- " + text, styled(Style(.warning, bold: true))),
            ]
        }
        buffer.put(segments, x: 2, y: y, fitting: buffer.width - 2, ellipsis: theme.ellipsis)
    }

    /// `name` shortened in the middle and padded to `width` columns.
    func name(_ name: String, width: Int) -> String {
        Format.pad(Format.middle(name, width, ellipsis: theme.ellipsis), width, ellipsis: theme.ellipsis)
    }
}
