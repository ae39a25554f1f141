import SyncCore
import SyncReports

/// The cursor of each view: where it is, and moving it.
extension DashboardModel {
    /// The layout for the current screen size.
    public var layout: Layout { Layout(screen) }

    /// How many items the current view lists.
    var itemCount: Int {
        switch view {
        case .units: unitTable.count
        case .tree: treeTable.count
        case .timeline: timelineRows.count
        case .log: logEntries.count
        }
    }

    /// The index of the unit rows' selection: the selected unit, or the first row when it is not listed.
    public func selectedIndex(in rows: [UnitRow]) -> Int? {
        guard !rows.isEmpty else { return nil }
        return selectedUnit.flatMap { name in rows.firstIndex { sameBytes($0.name, name) } } ?? 0
    }

    /// The index of the tree's cursor: its line, else the first line of the selected unit, else the first line.
    public func treeIndex(in lines: [TreeLine]) -> Int? {
        guard !lines.isEmpty else { return nil }
        if let key = treeCursor, let index = lines.firstIndex(where: { sameBytes($0.key, key) }) { return index }
        return selectedUnit.flatMap { unit in lines.firstIndex { sameBytes($0.unit, unit) } } ?? 0
    }

    /// The index of the timeline's selection.
    public func timelineIndex(in entries: [Timeline.Entry]) -> Int? {
        guard !entries.isEmpty else { return nil }
        return selectedUnit.flatMap { unit in entries.firstIndex { sameBytes($0.unit, unit) } } ?? 0
    }

    /// The index of the log's cursor; the newest entry while following.
    public func logIndex(in entries: [(id: Int, entry: HistoryEntry)]) -> Int? {
        guard !entries.isEmpty else { return nil }
        guard let id = logCursor else { return entries.count - 1 }
        return entries.firstIndex { $0.id >= id } ?? entries.count - 1
    }

    /// The unit under the cursor of the current view, if any.
    public var cursorUnit: String? {
        switch view {
        case .units:
            let table = unitTable
            return table.selectedIndex.map { table[$0].name }
        case .tree:
            let table = treeTable
            return table.cursorIndex.map { table[$0].unit }
        case .timeline:
            let entries = timelineRows
            return timelineIndex(in: entries).map { entries[$0].unit }
        case .log:
            let entries = logEntries
            return logIndex(in: entries).flatMap { entries[$0].entry.unit }
        }
    }

    /// Moves the cursor by `delta` items (clamped).
    mutating func moveCursor(by delta: Int) {
        let current: Int?
        switch view {
        case .units: current = unitTable.selectedIndex
        case .tree: current = treeTable.cursorIndex
        case .timeline: current = timelineIndex(in: timelineRows)
        case .log: current = logIndex(in: logEntries)
        }
        guard let current else { return }
        moveCursor(to: current + delta)
    }

    /// Puts the cursor on item `index` (clamped) and scrolls it into view. In the log, the last item follows.
    mutating func moveCursor(to index: Int) {
        // The units table and the tree are built once here (with a filter, each costs a pass over the graph).
        let table = view == .units ? unitTable : nil
        let tree = view == .tree ? treeTable : nil
        let count = table?.count ?? tree?.count ?? itemCount
        guard count > 0 else { return }
        let target = max(0, min(count - 1, index))
        switch view {
        case .units: selectedUnit = table![target].name
        case .tree:
            let line = tree![target]
            treeCursor = line.key
            selectedUnit = line.unit
        case .timeline: selectedUnit = timelineRows[target].unit
        case .log: logCursor = target == count - 1 ? nil : logEntries[target].id
        }
        let rows = layout.listRows(view, showsDetail: showsDetail)
        scrollTop[view] = Viewport.top(stored: scrollTop[view] ?? 0, cursor: target, count: count, rows: rows)
        touch()
    }

    /// Rows a page moves: the visible list rows less one, so one row of context stays.
    var pageSize: Int { max(1, layout.listRows(view, showsDetail: showsDetail) - 1) }
}
