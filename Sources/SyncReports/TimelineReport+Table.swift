import SyncCore

/// The report as text: the table, the Gantt chart and the critical path.
extension TimelineReport {
    /// The whole report for a terminal `width` columns wide: the table (``table(ascii:)``), a blank line, the
    /// Gantt chart (``gantt(width:ascii:)``), a blank line and `critical path: git-clone -> claude (14.2s of
    /// 15.0s)`. With `ascii`, only ASCII characters are drawn (the table's names aside). No units:
    /// `No units registered`. Ends with a newline.
    public func text(width: Int, ascii: Bool = false) -> String {
        guard !rows.isEmpty else { return "No units registered\n" }
        return table(ascii: ascii) + "\n" + gantt(width: width, ascii: ascii)
            + "\ncritical path: \(criticalPathSummary)\n"
    }

    /// One line per unit: a mark (`◆`, ASCII `*`) for units on the critical path, the name, when it was registered
    /// (`+0.1s` from the start), how long it waited and ran (`6.2s`, `-` when it never did), and its status with
    /// the reason of a failure. Columns are padded to their widest cell; no line ends with spaces.
    public func table(ascii: Bool = false) -> String {
        let mark = ascii ? "*" : "◆"
        let header = ["UNIT", "REGISTERED", "WAITED", "RAN", "STATUS"]
        let cells = rows.map { row in
            [
                row.unit, Self.offsetText(row.registered), row.waited.map(DurationText.short) ?? "-",
                row.ran.map(DurationText.short) ?? "-",
                Optional(row.status).label(ascii: ascii, reason: row.reason, cause: row.cause),
            ]
        }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max()! }
        func line(_ mark: String, _ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                // The name and the status read left to right; the times line up on the right.
                let fill = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 || column == 4 ? cell + fill : fill + cell
            }
            return String((mark + " " + padded.joined(separator: "  ")).trimmingSuffix(" "))
        }
        return ([line(" ", header)] + zip(rows, cells).map { line($0.isCritical ? mark : " ", $1) })
            .joined(separator: "\n") + "\n"
    }

    /// An offset from the start: `+0.0s`, `+12.7s`, then `+1m05s`, `+2h04m`.
    static func offsetText(_ microseconds: Int64) -> String {
        "+" + DurationText.text(microseconds: microseconds, .tenths)
    }
}

extension StringProtocol {
    /// The text without the given trailing characters.
    func trimmingSuffix(_ character: Character) -> SubSequence {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == character { end = index(before: end) }
        return self[..<end]
    }
}
