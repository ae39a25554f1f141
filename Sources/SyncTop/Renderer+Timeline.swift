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

    /// Maps times to columns of the bar area.
    struct TimeScale {
        var start: Timestamp
        var end: Timestamp
        var x: Int
        var width: Int

        var length: Int64 { max(100_000, start.microseconds(to: end)) }

        /// The column of `time`, rounded, within the bar area (the end is one past the last column).
        func column(_ time: Timestamp) -> Int {
            let offset = max(0, min(length, start.microseconds(to: time)))
            return x + Int((offset * Int64(width) + length / 2) / length)
        }

        /// The columns of an interval: at least one cell when it has any length.
        func columns(_ from: Timestamp, _ to: Timestamp) -> Range<Int> {
            let first = min(column(from), x + width - 1)
            let end = max(column(to), to > from ? first + 1 : first)
            return first..<min(end, x + width)
        }
    }

    /// `NAME  WAIT  RUN  0s        5s        10s` with labels at round steps at least 8 columns apart.
    private mutating func drawTimelineHeader(_ scale: TimeScale, nameWidth: Int, showsTimes: Bool, y: Int) {
        let style = Style(.dim, bold: true)
        buffer.put("NAME", x: 6, y: y, style: style)
        if showsTimes {
            buffer.put(Format.padLeft("WAIT", 6), x: 6 + nameWidth + 1, y: y, style: style)
            buffer.put(Format.padLeft("RUN", 6), x: 6 + nameWidth + 8, y: y, style: style)
        }
        // Steps in milliseconds, from a tenth of a second to a day.
        let steps: [Int64] = [
            100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
            1_800_000, 3_600_000, 7_200_000, 14_400_000, 43_200_000, 86_400_000,
        ]
        let milliseconds = scale.length / 1000
        let step = steps.first { $0 * Int64(scale.width) >= 9 * milliseconds } ?? steps.last!
        var mark: Int64 = 0
        while mark <= milliseconds {
            let x = scale.column(Timestamp(microseconds: scale.start.rawValue + mark * 1000))
            let label = DurationText.text(.milliseconds(mark), .axis)
            if x + label.count <= buffer.width { buffer.put(label, x: x, y: y, style: .dim) }
            mark += step
        }
    }

    /// The wait hatched in the pending colour, the run solid in the unit's colour, and a failed or skipped unit's
    /// glyph right after its bar.
    private mutating func drawBar(_ entry: Timeline.Entry, _ scale: TimeScale, y: Int, bold: Bool) {
        let now = model.now
        var last = -1
        if let began = entry.waitBeganAt, let end = entry.waitEnd(now: now) {
            let cells = scale.columns(began, end)
            buffer.fill(
                theme.waitBar, x: cells.lowerBound, y: y, count: cells.count, style: Style(.pending, bold: bold))
            last = cells.upperBound
        }
        if let started = entry.startedAt, let end = entry.runEnd(now: now) {
            let cells = scale.columns(started, end)
            let style = Style(.status(entry.status), bold: bold)
            buffer.fill(theme.runBar, x: cells.lowerBound, y: y, count: cells.count, style: style)
            last = cells.upperBound
        }
        if entry.status.isFailure, last >= 0, last < buffer.width {
            buffer.put(theme.glyph(entry.status), x: last, y: y, style: Style(.status(entry.status), bold: true))
        }
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
        let legend = [
            Segment(String(theme.waitBar), Style(.pending)), Segment(" wait  ", .dim),
            Segment(String(theme.runBar), Style(.started)), Segment(" run", .dim),
        ]
        let legendX = buffer.width - legend.width - 1
        buffer.put(segments, x: 2, y: y, limit: max(0, legendX - 4))
        buffer.put(legend, x: legendX, y: y)
    }
}
