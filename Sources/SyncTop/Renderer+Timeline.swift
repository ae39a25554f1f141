import SyncCore
import SyncReports

/// The timeline: one Gantt bar per unit on a time axis fitted to the width, the wait hatched and the run solid,
/// the critical path marked.
extension Renderer {
    mutating func drawTimeline() {
        let entries = model.timelineRows
        let top = layout.bodyTop
        let rows = layout.listRows(.timeline, showsDetail: model.showsDetail)
        guard !entries.isEmpty, let span = model.timeline.span(now: model.now) else {
            emptyMessage(emptyText, y: top + 1)
            return
        }
        let critical = model.timeline.criticalPath(now: model.now)
        let nameWidth = min(24, max(8, entries.map(\.unit.terminalWidth).max() ?? 0))
        let showsTimes = buffer.width - (6 + nameWidth + 16) >= 20
        let barX = 6 + nameWidth + (showsTimes ? 16 : 2)
        let scale = TimeScale(start: span.start, end: span.end, x: barX, width: max(1, buffer.width - barX - 1))
        drawTimelineHeader(scale, nameWidth: nameWidth, showsTimes: showsTimes, y: top)
        let cursor = model.timelineIndex(in: entries)
        let first = Viewport.top(
            stored: model.scrollTop[.timeline] ?? 0, cursor: cursor, count: entries.count, rows: rows)
        for (offset, index) in (first..<min(entries.count, first + rows)).enumerated() {
            let entry = entries[index]
            let y = top + 1 + offset
            let selected = index == cursor
            let onPath = critical.contains(entry.unit)
            var style = rowStyle(status: entry.status, unit: entry.unit, selected: selected)
            if onPath { style.bold = true }
            if selected {
                buffer.fill(x: 0, y: y, count: barX - 1, style: style)
                buffer.put(String(theme.pointer), x: 0, y: y, style: style)
            }
            if onPath { buffer.put(String(theme.criticalMark), x: 2, y: y, style: Style(.accent, bold: true)) }
            buffer.put(theme.glyph(entry.status), x: 4, y: y, style: style)
            buffer.put(Format.middle(entry.unit, nameWidth, ellipsis: theme.ellipsis), x: 6, y: y, style: style)
            if showsTimes {
                buffer.put(
                    Format.padLeft(duration(entry.waitDuration(now: model.now)), 6), x: 6 + nameWidth + 1, y: y,
                    style: style)
                buffer.put(
                    Format.padLeft(duration(entry.runDuration(now: model.now)), 6), x: 6 + nameWidth + 8, y: y,
                    style: style)
            }
            drawBar(entry, scale, y: y, bold: onPath)
        }
        drawTimelineLegend(critical, span: span, y: top + layout.bodyHeight - 1)
    }

    /// Maps times to columns of the bar area: the chart's ``TimelineReport/Scale`` (the same rounding, ticks and
    /// short-wait rule as `syncctl timeline`), shifted to the area's first column `x`.
    struct TimeScale {
        var start: Timestamp
        var x: Int
        var chart: TimelineReport.Scale

        init(start: Timestamp, end: Timestamp, x: Int, width: Int) {
            self.start = start
            self.x = x
            chart = TimelineReport.Scale(span: start.microseconds(to: end), columns: width)
        }

        /// The chart cells of an interval (from 0): at least one when it has any length.
        func cells(_ from: Timestamp, _ to: Timestamp) -> Range<Int> {
            chart.cells(start.microseconds(to: from), start.microseconds(to: to))
        }

        /// Chart cells as screen columns.
        func shifted(_ cells: Range<Int>) -> Range<Int> { (x + cells.lowerBound)..<(x + cells.upperBound) }
    }

    /// `NAME  WAIT  RUN  0s        5s        10s` with labels at round steps at least 9 columns apart.
    private mutating func drawTimelineHeader(_ scale: TimeScale, nameWidth: Int, showsTimes: Bool, y: Int) {
        let style = Style(.dim, bold: true)
        buffer.put("NAME", x: 6, y: y, style: style)
        if showsTimes {
            buffer.put(Format.padLeft("WAIT", 6), x: 6 + nameWidth + 1, y: y, style: style)
            buffer.put(Format.padLeft("RUN", 6), x: 6 + nameWidth + 8, y: y, style: style)
        }
        for tick in scale.chart.ticks() where scale.x + tick.column + tick.label.count <= buffer.width {
            buffer.put(tick.label, x: scale.x + tick.column, y: y, style: .dim)
        }
    }

    /// The wait hatched in the pending colour, the run solid in the unit's colour, and a failed or skipped unit's
    /// glyph right after its bar.
    private mutating func drawBar(_ entry: Timeline.Entry, _ scale: TimeScale, y: Int, bold: Bool) {
        let now = model.now
        var last = -1
        var waited: Range<Int>?
        if let began = entry.waitBeganAt, let end = entry.waitEnd(now: now) {
            let cells = scale.cells(began, end)
            draw(theme.waitBar, scale.shifted(cells), y: y, style: Style(.pending, bold: bold))
            waited = cells
            last = scale.x + cells.upperBound
        }
        if let started = entry.startedAt, let end = entry.runEnd(now: now) {
            let cells = scale.shifted(scale.chart.keepingVisible(waited, scale.cells(started, end)))
            draw(theme.runBar, cells, y: y, style: Style(.status(entry.status), bold: bold))
            last = cells.upperBound
        }
        if entry.status.isFailure, last >= 0, last < buffer.width {
            buffer.put(theme.glyph(entry.status), x: last, y: y, style: Style(.status(entry.status), bold: true))
        }
        if entry.readyAt != nil, last >= 0, last < buffer.width {
            buffer.put(String(theme.readyMark), x: last, y: y, style: Style(.completed, bold: true))
        }
    }

    private mutating func draw(_ bar: Character, _ columns: Range<Int>, y: Int, style: Style) {
        buffer.fill(bar, x: columns.lowerBound, y: y, count: columns.count, style: style)
    }

    /// `◆ critical path 15.0s: git-clone → claude    ░ wait  █ run`.
    private mutating func drawTimelineLegend(_ critical: [String], span: (start: Timestamp, end: Timestamp), y: Int) {
        var segments = [Segment(String(theme.criticalMark) + " ", Style(.accent, bold: true))]
        if critical.isEmpty {
            segments.append(Segment("critical path: nothing has started yet", .dim))
        } else {
            let total = Format.duration(span.start.microseconds(to: span.end))
            segments += [
                Segment("critical path \(total): ", .dim),
                Segment(critical.joined(separator: " \(theme.transition) "), Style(.accent, bold: true)),
            ]
        }
        var legend = [
            Segment(String(theme.waitBar), Style(.pending)), Segment(" wait  ", .dim),
            Segment(String(theme.runBar), Style(.started)), Segment(" run", .dim),
        ]
        if model.timelineRows.contains(where: { $0.readyAt != nil }) {
            legend += [
                Segment("  "), Segment(String(theme.readyMark), Style(.completed, bold: true)), Segment(" ready", .dim),
            ]
        }
        let legendX = buffer.width - legend.width - 1
        buffer.put(segments, x: 2, y: y, limit: max(0, legendX - 4))
        buffer.put(legend, x: legendX, y: y)
    }
}
