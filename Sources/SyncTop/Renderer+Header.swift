import SyncCore
import SyncReports

/// The two header rows and the view tabs.
extension Renderer {
    /// Row 0: `sync-top  <source>  ● live` … `PAUSED (3 queued)  09:00:15`.
    /// Row 1: counts per status, then the sort and the filter on the right.
    mutating func drawHeader() {
        var right: [Segment] = []
        if model.isPaused {
            let queued = model.queued.isEmpty ? "" : " (\(model.queued.count) queued)"
            right += [Segment(" PAUSED\(queued) ", Style(.warning, bold: true, reverse: true)), Segment("  ")]
        }
        right.append(Segment(clock(model.now), .header))
        let rightX = buffer.width - right.width
        buffer.put(right, x: rightX, y: 0)
        // The connection state matters more than the source: the source is shortened, then left out.
        let room = rightX - 1
        let connection = connectionSegments
        let sourceRoom = room - "sync-top".count - 4 - connection.width
        var left = [Segment("sync-top", .header), Segment("  ")]
        if sourceRoom >= 8 {
            left += [Segment(Format.middle(model.source, sourceRoom, ellipsis: theme.ellipsis)), Segment("  ")]
        }
        buffer.put(left + connection, x: 0, y: 0, fitting: max(0, room), ellipsis: theme.ellipsis)

        var status: [Segment] = []
        status.append(Segment("sort: ", .dim))
        status.append(Segment("\(model.sortKey.column.lowercased()) \(theme.arrow(ascending: model.sortAscending))"))
        if !model.filter.isEmpty {
            status += [Segment("  filter: ", .dim), Segment(model.filter, Style(.accent, bold: true))]
        }
        let statusX = buffer.width - status.width
        // Words in the counts matter more than the sort indicator, which the table header shows too.
        let counts =
            countVariants.first { $0.width + 2 <= statusX } ?? countVariants.first { $0.width <= buffer.width }
            ?? countVariants.last!
        buffer.put(counts, x: 0, y: 1, limit: buffer.width)
        if counts.width + 2 <= statusX { buffer.put(status, x: statusX, y: 1) }
    }

    /// `● live`, `◌ connecting…`, `reconnecting since 09:00:10 (attempt 3)`, `stale since 09:00:15: <reason>`.
    var connectionSegments: [Segment] {
        switch model.connection {
        case .connecting:
            return [Segment("\(theme.glyph(.pending)) connecting", Style(.warning))]
        case .live:
            return [Segment("\(theme.glyph(.started)) live", Style(.completed))]
        case .reconnecting(let since, let attempt):
            return [
                Segment("reconnecting since \(clock(since)) (attempt \(attempt))", Style(.warning, bold: true))
            ]
        case .stale(let since, let reason):
            return [Segment("stale since \(clock(since)): \(reason)", Style(.warning, bold: true))]
        }
    }

    /// `7 units  ✘ 1 failed  ⊘ 1 skipped  ● 2 started …  ? 1 not registered`, longest first: then without the
    /// statuses no unit has, then glyphs and numbers only (`7 units ✘1 ⊘1 ●2`).
    var countVariants: [[Segment]] {
        let (byStatus, unregistered) = model.counts
        let total = byStatus.values.reduce(0, +)
        let order: [UnitStatus?] = [.failed, .skipped, .started, .pending, .completed, nil]
        func build(words: Bool, zeros: Bool) -> [Segment] {
            var segments = [Segment("\(total) unit\(total == 1 ? "" : "s")", .header)]
            for status in order {
                let count = status.map { byStatus[$0] ?? 0 } ?? unregistered
                guard zeros || count > 0 else { continue }
                let text =
                    words ? "\(theme.glyph(status)) \(count) \(status.display)" : "\(theme.glyph(status))\(count)"
                segments.append(Segment(words ? "  " : " "))
                segments.append(Segment(text, count == 0 ? .dim : Style(.status(status), bold: status == .failed)))
            }
            return segments
        }
        return [build(words: true, zeros: true), build(words: true, zeros: false), build(words: false, zeros: false)]
    }

    /// Row 2: ` 1 Units │ 2 Tree │ 3 Timeline │ 4 Log ` with the current view reversed, then a rule.
    mutating func drawTabs() {
        let y = layout.tabsY
        buffer.fill(theme.horizontal, x: 0, y: y, count: buffer.width, style: .dim)
        var x = 0
        for view in DashboardView.allCases {
            let active = view == model.view
            let label = " \(view.rawValue) \(view.title) "
            x = buffer.put(label, x: x, y: y, style: active ? Style(.accent, bold: true, reverse: true) : .dim)
            x = buffer.put(String(theme.vertical), x: x, y: y, style: .dim)
        }
        if model.view == .log {
            let following = model.logCursor == nil ? " following " : " G to follow "
            buffer.put(following, x: x + 1, y: y, style: .dim)
        }
    }
}
