import SyncCore

/// The plain snapshot `sync-top --once` prints (and prints when stdout is not a terminal): a summary line, the
/// units table as the dashboard sorts it (failures first), and the critical path. Columns are sized to their
/// content, not to a terminal, with the one of varying length (WAITING ON / CAUSE) last; escapes appear only when
/// the theme has colour.
public enum OnceReport {
    /// The report as text, one line per row, ending with a newline.
    public static func text(_ model: DashboardModel, theme: Theme) -> String {
        ANSI.render(lines(model, theme: theme), color: theme.color) + "\n"
    }

    /// The report as styled lines.
    public static func lines(_ model: DashboardModel, theme: Theme) -> [[Segment]] {
        var lines: [[Segment]] = [[Segment("sync-top", .header), Segment("  \(model.source)  "), connection(model)]]
        let (byStatus, unregistered) = model.counts
        let total = byStatus.values.reduce(0, +)
        var counts = "\(total) unit\(total == 1 ? "" : "s")"
        let parts = [UnitStatus.failed, .skipped, .started, .pending, .completed].compactMap { status in
            byStatus[status].map { "\($0) \(status.rawValue)" }
        }
        if !parts.isEmpty { counts += ": " + parts.joined(separator: ", ") }
        if unregistered > 0 { counts += "; \(unregistered) not registered" }
        lines.append([Segment(counts + " at " + Format.clock(model.now, utcOffset: model.utcOffset))])
        lines.append([])

        let rows = model.unitRows
        guard !rows.isEmpty else {
            lines.append([Segment("no units", .dim)])
            return lines
        }
        let times = rows.map { row in
            (wait: row.wait.map(Format.duration) ?? "", run: row.run.map(Format.duration) ?? "")
        }
        let nameWidth = max(4, rows.map(\.name.terminalWidth).max() ?? 0)
        let statusWidth = max(6, rows.map { theme.label($0.status).terminalWidth }.max() ?? 0)
        func line(_ status: String, _ name: String, _ wait: String, _ run: String, _ summary: String) -> String {
            var text =
                Format.pad(status, statusWidth, ellipsis: theme.ellipsis) + "  "
                + Format.pad(name, nameWidth, ellipsis: theme.ellipsis) + "  " + Format.padLeft(wait, 6) + "  "
                + Format.padLeft(run, 6) + "  " + summary
            while text.last == " " { text.removeLast() }
            return text
        }
        lines.append([Segment(line("STATUS", "NAME", "WAIT", "RUN", "WAITING ON / CAUSE"), .dim)])
        for (index, row) in rows.enumerated() {
            let text = line(
                theme.label(row.status), row.name, times[index].wait, times[index].run, row.summary(theme: theme))
            lines.append([Segment(text, Style(.status(row.status), bold: row.status == .failed))])
        }
        let path = model.timeline.criticalPath(now: model.now)
        if !path.isEmpty, let span = model.timeline.span(now: model.now) {
            lines.append([])
            let total = Format.duration(span.start.microseconds(to: span.end))
            lines.append([
                Segment("critical path \(total): ", .dim),
                Segment(path.joined(separator: " \(theme.transition) "), Style(.accent, bold: true)),
            ])
        }
        return lines
    }

    private static func connection(_ model: DashboardModel) -> Segment {
        let clock = { (time: Timestamp) in Format.clock(time, utcOffset: model.utcOffset) }
        switch model.connection {
        case .connecting: return Segment("connecting", Style(.warning))
        case .live: return Segment("live", Style(.completed))
        case .reconnecting(let since, let attempt):
            return Segment("reconnecting since \(clock(since)) (attempt \(attempt))", Style(.warning))
        case .stale(let since, let reason): return Segment("stale since \(clock(since)): \(reason)", Style(.warning))
        }
    }
}
