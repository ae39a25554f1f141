import SyncCore

/// The report as a text Gantt chart.
extension TimelineReport {
    /// A Gantt chart at most `width` columns wide (at least 40 are used): a time axis with labelled ticks at round
    /// steps, then one bar per unit in the table's order, the wait drawn `░` and the run `█` (ASCII `.` and `#`),
    /// a failed or skipped unit's glyph right after its bar, a service's ready moment `●` (`@`) right after its
    /// bar, and the critical path marked `◆` (`*`) before the name; names longer than a quarter of the width are
    /// shortened in the middle. A legend line ends it (`● ready` only when a service became ready).
    public func gantt(width: Int, ascii: Bool = false) -> String {
        let width = max(40, width)
        let nameWidth = min(rows.map(\.unit.count).max() ?? 0, max(12, width / 4))
        let barX = 2 + nameWidth + 2
        // Two columns stay free after the bars: the end tick, or a failure glyph right after a bar.
        let scale = Scale(span: span, columns: width - barX - 2)
        let (wait, run, mark): (Character, Character, Character) = ascii ? (".", "#", "*") : ("░", "█", "◆")
        let readyMark: Character = ascii ? "@" : "●"
        let margin = String(repeating: " ", count: barX)

        var labels = margin
        var ticks = [Character](repeating: ascii ? "-" : "─", count: scale.columns + 1)
        for tick in scale.ticks() {
            ticks[tick.column] = ascii ? "+" : "┬"
            // A label that would run past the width ends at it instead, if it does not touch the one before.
            let x = min(barX + tick.column, width - tick.label.count)
            if x >= labels.count + (labels.count > barX ? 1 : 0) {
                labels += String(repeating: " ", count: x - labels.count) + tick.label
            }
        }
        var lines = [labels, margin + String(ticks)]

        for row in rows {
            var cells = [Character](repeating: " ", count: scale.columns + 2)
            // The run is drawn over the wait; a retry's wait may come after an earlier run.
            var end: Int?
            var waited: Range<Int>?
            if let began = row.waitBegan {
                let range = scale.cells(began, row.waitEnded ?? nowOffset)
                for x in range { cells[x] = wait }
                waited = range
                end = range.upperBound
            }
            if let started = row.started {
                let range = scale.keepingVisible(waited, scale.cells(started, row.ended ?? nowOffset))
                for x in range { cells[x] = run }
                end = max(end ?? 0, range.upperBound)
            }
            if row.status.isFailure, let x = end ?? row.ended.map(scale.column) {
                cells[x] = Character(Optional(row.status).glyph(ascii: ascii))
            }
            if row.ready != nil, let x = end {
                cells[x] = readyMark
            }
            let name = Self.shortened(row.unit, to: nameWidth, ellipsis: ascii ? "~" : "…")
            let line =
                "\(row.isCritical ? mark : " ") \(name)" + String(repeating: " ", count: nameWidth - name.count)
                + "  " + String(cells)
            lines.append(String(line.trimmingSuffix(" ")))
        }
        let readiness = rows.contains { $0.ready != nil } ? "  \(readyMark) ready" : ""
        let legend = "\(wait) waiting  \(run) running\(readiness)  \(mark) critical path"
        lines.append(String(repeating: " ", count: min(barX, width - legend.count)) + legend)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `name` cut in the middle to `width` characters, with `ellipsis` where the cut is.
    static func shortened(_ name: String, to width: Int, ellipsis: Character) -> String {
        guard name.count > width, width > 1 else { return name }
        let head = width / 2
        return String(name.prefix(head)) + String(ellipsis) + String(name.suffix(width - 1 - head))
    }

    /// Maps offsets from the start to the columns of a bar area, and picks the axis ticks.
    public struct Scale: Sendable, Equatable {
        /// Microseconds the area covers (at least 100 ms, so a tiny span still scales).
        public var length: Int64
        /// Columns of the area.
        public var columns: Int

        /// A scale showing `span` microseconds in `columns` columns (at least one).
        public init(span: Int64, columns: Int) {
            length = max(100_000, span)
            self.columns = max(1, columns)
        }

        /// The column `offset` falls in, rounded, from 0 to `columns` (the end is one past the last cell).
        public func column(_ offset: Int64) -> Int {
            let offset = max(0, min(length, offset))
            return Int((offset * Int64(columns) + length / 2) / length)
        }

        /// The cells an interval covers: at least one when it has any length, never past the area.
        public func cells(_ from: Int64, _ to: Int64) -> Range<Int> {
            let first = min(column(from), columns - 1)
            guard to > from else { return first..<first }
            return first..<min(max(column(to), first + 1), columns)
        }

        /// `run` moved so that it does not cover all of `wait`: a wait of one cell that the run begins in keeps
        /// that cell and the run begins one later, so a unit that waited and ran shows both. Only in the last
        /// column, where there is no later cell, does the run still cover it.
        public func keepingVisible(_ wait: Range<Int>?, _ run: Range<Int>) -> Range<Int> {
            guard let wait, wait.count == 1, !run.isEmpty, run.lowerBound == wait.lowerBound,
                wait.upperBound < columns
            else { return run }
            return wait.upperBound..<max(run.upperBound, wait.upperBound + 1)
        }

        /// Ticks at a round step (100 ms up to a day) chosen so labels stand at least 9 columns apart, from 0 to
        /// the end of the area: their column and label (`0s`, `0.5s`, `45s`, `2m`, `1m30s`, `1h`).
        public func ticks() -> [(column: Int, label: String)] {
            let steps: [Int64] = [
                100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
                1_800_000, 3_600_000, 7_200_000, 14_400_000, 43_200_000, 86_400_000,
            ]
            let milliseconds = length / 1000
            let step = steps.first { $0 * Int64(columns) >= 9 * milliseconds } ?? steps.last!
            return stride(from: Int64(0), through: milliseconds, by: Int(step)).map {
                (column($0 * 1000), DurationText.text(.milliseconds($0), .axis))
            }
        }
    }
}
