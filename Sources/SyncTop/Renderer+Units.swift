import SyncCore

/// The units table: one row per unit, failures pinned on top with their cause.
extension Renderer {
    /// A right-aligned column that is dropped when the table is narrow.
    enum OptionalColumn: CaseIterable {
        case deps, wait, run, age

        var title: String {
            switch self {
            case .deps: "DEPS"
            case .wait: "WAIT"
            case .run: "RUN"
            case .age: "AGE"
            }
        }

        var width: Int { self == .deps ? 5 : 6 }

        var sortKey: SortKey? {
            switch self {
            case .deps: nil
            case .wait: .wait
            case .run: .run
            case .age: .changed
            }
        }
    }

    /// Where the table's columns go for `rows` at the buffer's width.
    struct TableColumns {
        var nameWidth: Int
        var statusWidth: Int
        var waitsWidth: Int
        var optional: [OptionalColumn]

        var nameX: Int { 4 }
        var statusX: Int { nameX + nameWidth + 2 }
        var waitsX: Int { statusX + statusWidth + 2 }
    }

    /// Fits the columns to the width so that WAITING ON keeps at least 20 columns: drops AGE, then shortens names
    /// (down to 12 columns), then drops DEPS, RUN and WAIT.
    func tableColumns(for rows: UnitTable) -> TableColumns {
        let width = buffer.width
        let statusWidth = max(8, rows.widestStatus)
        let fullName = min(max(6, rows.widestName), max(12, width * 3 / 10))
        let hasDependencies = rows.hasDependencies
        var optional = OptionalColumn.allCases.filter { $0 != .deps || hasDependencies }
        func waitsWidth(_ nameWidth: Int) -> Int {
            width - (4 + nameWidth + 2 + statusWidth + 2 + optional.reduce(0) { $0 + 2 + $1.width })
        }
        func columns(_ nameWidth: Int) -> TableColumns {
            TableColumns(
                nameWidth: nameWidth, statusWidth: statusWidth, waitsWidth: max(0, waitsWidth(nameWidth)),
                optional: optional)
        }
        if waitsWidth(fullName) >= 20 { return columns(fullName) }
        optional.removeAll { $0 == .age }
        if waitsWidth(fullName) >= 20 { return columns(fullName) }
        let shortName = max(min(fullName, 12), fullName - (20 - waitsWidth(fullName)))
        for drop in [nil, OptionalColumn.deps, .run, .wait] {
            if let drop { optional.removeAll { $0 == drop } }
            if waitsWidth(shortName) >= 20 { return columns(shortName) }
        }
        return columns(shortName)
    }

    mutating func drawUnits() {
        let rows = model.unitTable
        let columns = tableColumns(for: rows)
        let top = layout.bodyTop
        let visible = layout.listRows(.units, showsDetail: model.showsDetail)
        let selected = rows.selectedIndex
        let first = Viewport.top(
            stored: model.scrollTop[.units] ?? 0, cursor: selected, count: rows.count, rows: visible)
        drawTableHeader(
            columns, y: top, range: rows.count == 0 ? nil : (first, min(rows.count, first + visible), rows.count))
        if rows.count == 0 { emptyMessage(emptyText, y: top + 2) }
        for (offset, index) in (first..<min(rows.count, first + visible)).enumerated() {
            drawRow(rows[index], columns, y: top + 1 + offset, selected: index == selected)
        }
        let detailHeight = layout.detailHeight(showsDetail: model.showsDetail)
        if detailHeight > 0 {
            let row = selected.map { rows[$0] }
            drawDetail(row, y: layout.bodyTop + layout.bodyHeight - detailHeight, height: detailHeight)
        }
    }

    /// Column titles, the sorted one marked with its direction; `1-18/45` on the right when the list scrolls.
    private mutating func drawTableHeader(_ columns: TableColumns, y: Int, range: (Int, Int, Int)?) {
        let style = Style(.dim, bold: true)
        let arrow = String(theme.arrow(ascending: model.sortAscending))
        func title(_ text: String, _ key: SortKey?) -> (String, Style) {
            key == model.sortKey ? (text + arrow, Style(.accent, bold: true)) : (text, style)
        }
        var (text, titleStyle) = title("NAME", .name)
        buffer.put(text, x: columns.nameX, y: y, style: titleStyle)
        (text, titleStyle) = title("STATUS", .status)
        buffer.put(text, x: columns.statusX, y: y, style: titleStyle)
        buffer.put("WAITING ON / CAUSE", x: columns.waitsX, y: y, style: style, limit: columns.waitsWidth)
        var x = columns.waitsX + columns.waitsWidth
        for column in columns.optional {
            (text, titleStyle) = title(column.title, column.sortKey)
            buffer.put(Format.padLeft(text, column.width), x: x + 2, y: y, style: titleStyle)
            x += 2 + column.width
        }
        if let (first, end, count) = range, end - first < count {
            let position = "\(first + 1)-\(end)/\(count)"
            buffer.put(position, x: max(0, columns.waitsX + columns.waitsWidth - position.count), y: y, style: .dim)
        }
    }

    private mutating func drawRow(_ row: UnitRow, _ columns: TableColumns, y: Int, selected: Bool) {
        let style = rowStyle(status: row.status, unit: row.name, selected: selected)
        if selected {
            buffer.fill(x: 0, y: y, count: buffer.width, style: style)
            buffer.put(String(theme.pointer), x: 0, y: y, style: style)
        }
        buffer.put(theme.glyph(row.status), x: 2, y: y, style: style)
        buffer.put(
            Format.middle(row.name, columns.nameWidth, ellipsis: theme.ellipsis), x: columns.nameX, y: y, style: style)
        buffer.put(row.status.display, x: columns.statusX, y: y, style: style)
        let summary = row.summary(fitting: columns.waitsWidth, theme: theme)
        buffer.put(
            Format.tail(summary, columns.waitsWidth, ellipsis: theme.ellipsis), x: columns.waitsX, y: y,
            style: row.isReady && !selected ? .dim : style)
        var x = columns.waitsX + columns.waitsWidth
        for column in columns.optional {
            let value: String
            switch column {
            case .deps: value = row.dependencyCount == 0 ? "" : "\(row.satisfiedCount)/\(row.dependencyCount)"
            case .wait: value = duration(row.wait)
            case .run: value = duration(row.run)
            case .age: value = duration(row.since.map { $0.microseconds(to: model.now) })
            }
            buffer.put(Format.padLeft(value, column.width), x: x + 2, y: y, style: style)
            x += 2 + column.width
        }
    }
}
