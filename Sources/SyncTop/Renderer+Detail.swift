import SyncCore

/// The detail pane of the selected unit: status, times, failure, dependencies (satisfied or not), dependents, and
/// its history. Wide terminals put the history beside the facts; narrow ones below them.
extension Renderer {
    mutating func drawDetail(_ row: UnitRow?, y: Int, height: Int) {
        guard let row else {
            rule(y: y)
            return
        }
        rule(y: y, title: [Segment(theme.glyph(row.status) + " " + row.name, Style(.status(row.status), bold: true))])
        let contentTop = y + 1
        let rows = height - 1
        let split = layout.detailIsSplit
        let factsWidth = split ? min(64, buffer.width / 2) : buffer.width
        let facts = factLines(row, width: factsWidth - 1, compact: !split)
        for (offset, line) in facts.prefix(rows).enumerated() {
            buffer.put(line, x: 1, y: contentTop + offset, fitting: factsWidth - 2, ellipsis: theme.ellipsis)
        }
        if split {
            let x = factsWidth + 1
            buffer.put("history", x: x, y: contentTop, style: Style(.dim, bold: true))
            drawHistory(of: row.name, x: x, y: contentTop + 1, width: buffer.width - x, rows: rows - 1)
        } else if facts.count + 1 < rows {
            let y = contentTop + facts.count
            buffer.put("history", x: 1, y: y, style: Style(.dim, bold: true))
            drawHistory(of: row.name, x: 1, y: y + 1, width: buffer.width - 1, rows: rows - facts.count - 1)
        }
    }

    /// The facts, one line each, labelled in a column: status, times, note, reason or cause, needs, needed by.
    /// `compact` lists the dependencies on one line.
    private func factLines(_ row: UnitRow, width: Int, compact: Bool) -> [[Segment]] {
        let label = { (text: String) in Segment(Format.pad(text, 10, ellipsis: theme.ellipsis), .dim) }
        var lines: [[Segment]] = []
        var status = [label("status"), Segment(theme.label(row.status), Style(.status(row.status), bold: true))]
        if let since = row.since {
            status.append(Segment(" since \(clock(since)) (\(Format.duration(since.microseconds(to: model.now))) ago)"))
        }
        lines.append(status)
        if row.status != nil {
            var times: [Segment] = [label("times")]
            if let registered = model.timeline[row.name]?.registeredAt {
                times.append(Segment("registered \(clock(registered))"))
            }
            times.append(Segment(row.wait.map { "  waited \(Format.duration($0))" } ?? "  never waited"))
            times.append(Segment(row.run.map { "  ran \(Format.duration($0))" } ?? "  never ran"))
            lines.append(times)
        }
        if let origin = model.changedBy[UnitKey(row.name)] {
            lines += wrapped(
                EventText.by(origin), label: label("changed"), width: width, style: Style(.dim), compact: compact)
        }
        if let note = row.note {
            lines += wrapped(note, label: label("note"), width: width, style: Style(.normal), compact: compact)
        }
        if let report = row.readiness?.report {
            let checks = report.checks.joined(separator: ", ")
            let ready: String
            if let readyIn = row.readyIn {
                ready = "ready in \(UnitRow.spaced(readyIn))" + (checks.isEmpty ? "" : " (\(checks))")
            } else {
                ready = checks.isEmpty ? "every check passed" : "waiting for " + checks
            }
            lines += wrapped(ready, label: label("readiness"), width: width, style: Style(.normal), compact: compact)
            let attempts = "\(report.attempts)" + (report.result.map { ", last: " + $0 } ?? "")
            lines += wrapped(attempts, label: label("attempts"), width: width, style: Style(.dim), compact: compact)
        }
        if row.status == .failed {
            let reason = model.graph.info(row.name)?.reason.map(goQuoted) ?? "(no reason given)"
            lines += wrapped(reason, label: label("reason"), width: width, style: Style(.failed), compact: compact)
        } else if let cause = row.cause {
            lines += wrapped(cause, label: label("cause"), width: width, style: Style(.skipped), compact: compact)
        }
        lines += dependencyLines(row, width: width, label: label, compact: compact)
        let dependents = model.graph.dependents(of: row.name)
        lines.append([label("needed by"), Segment(dependents.isEmpty ? "nothing" : dependents.joined(separator: ", "))])
        if row.status == nil {
            lines.append([Segment("nobody registered this unit: is the name in `syncctl want` right?", .dim)])
        }
        return lines
    }

    /// `text` after `label`, wrapped at spaces onto up to three lines (one when compact) under the label.
    private func wrapped(_ text: String, label: Segment, width: Int, style: Style, compact: Bool) -> [[Segment]] {
        let room = width - label.text.terminalWidth - 1
        let parts = Format.wrap(text, room, maxLines: compact ? 1 : 3, ellipsis: theme.ellipsis)
        let indent = Segment(String(repeating: " ", count: label.text.terminalWidth))
        return parts.enumerated().map { index, part in [index == 0 ? label : indent, Segment(part, style)] }
    }

    /// `needs  ✔ dotfiles  ✘ git-clone (started)`: satisfied or not, with the status of unsatisfied ones; one per
    /// line unless compact.
    private func dependencyLines(
        _ row: UnitRow, width: Int, label: (String) -> Segment, compact: Bool
    ) -> [[Segment]] {
        let dependencies = model.graph.dependencies(of: row.name)
        guard !dependencies.isEmpty else { return row.status == nil ? [] : [[label("needs"), Segment("nothing")]] }
        let items = dependencies.map { dependency -> [Segment] in
            let mark = theme.satisfied(dependency.isSatisfied)
            let markStyle = Style(dependency.isSatisfied ? .completed : .status(dependency.currentStatus))
            var item = [Segment(mark, markStyle), Segment(" " + dependency.dependsOn)]
            if !dependency.isSatisfied {
                item.append(Segment(" (\(dependency.currentStatus.display))", .dim))
            }
            return item
        }
        if compact {
            var line = [label("needs")]
            for (index, item) in items.enumerated() { line += (index > 0 ? [Segment("  ")] : []) + item }
            return [line]
        }
        return items.enumerated().map { index, item in [index == 0 ? label("needs") : label("")] + item }
    }

    /// The newest history entries about `unit` that fit, oldest first: `09:00:06  #12  pending → started`.
    mutating func drawHistory(of unit: String, x: Int, y: Int, width: Int, rows: Int) {
        guard rows > 0 else { return }
        let entries = model.history.entries(about: unit, last: rows)
        if entries.isEmpty {
            buffer.put("no events seen for this unit", x: x, y: y, style: .dim, limit: width)
        }
        for (offset, entry) in entries.enumerated() {
            guard case .event(let event) = entry else { continue }
            let line = [
                Segment(clock(event.time) + " ", .dim), Segment(Format.padLeft("#\(event.sequence)", 5) + "  ", .dim),
                Segment(EventText.describe(event.kind, theme: theme), Style(EventText.role(event.kind))),
            ]
            buffer.put(line, x: x, y: y + offset, fitting: width - 1, ellipsis: theme.ellipsis)
        }
    }
}
