import SyncCore

/// The rows of the units table in their order, kept up to date event by event, so that drawing a frame or moving
/// the cursor costs what it shows (a screen of rows, a binary search), not a sort of the whole graph.
///
/// It holds one entry per row of ``DashboardModel/unitRows`` (every registered unit, and every dependency nobody
/// registered) in the same order, for the status and name sorts without a filter: failures pinned first, then by
/// the sort key, ties by name A to Z. The wait, run and changed sorts depend on the clock or on every row, and the
/// filter on text: those fall back to ``DashboardModel/unitRows``. An update costs a binary search and moving the
/// entries after it (a memory move, linear in the rows but a few microseconds for 10,000).
struct UnitOrder: Sendable {
    /// One row: its name, and its status (`nil` for a dependency nobody registered).
    struct Entry: Sendable {
        var name: String
        var status: UnitStatus?
    }

    let sortKey: SortKey
    let ascending: Bool
    private(set) var entries: [Entry] = []
    /// The status of each row's entry (`.some(nil)` for a dependency nobody registered).
    private var rows: [UnitKey: UnitStatus?] = [:]
    /// Registered units per status, and the dependencies nobody registered.
    private(set) var byStatus: [UnitStatus: Int] = [:]
    private(set) var unregistered = 0
    /// Rows per terminal width of their name, for the name column's width.
    private var nameWidths: [Int: Int] = [:]

    /// Whether the order can be kept for `sortKey`.
    static func supports(_ sortKey: SortKey) -> Bool { sortKey == .status || sortKey == .name }

    /// The order of every row of `graph`.
    init(graph: UnitGraph, sortKey: SortKey, ascending: Bool) {
        precondition(Self.supports(sortKey))
        self.sortKey = sortKey
        self.ascending = ascending
        var entries = graph.unitNames.map { Entry(name: $0, status: graph.status(of: $0)) }
        entries += graph.unregisteredDependencies.map { Entry(name: $0, status: nil) }
        for entry in entries {
            count(entry, by: 1)
            rows[UnitKey(entry.name)] = .some(entry.status)
        }
        self.entries = entries.sorted(by: precedes)
    }

    /// Brings the row of `name` up to date with `graph`: it appears, moves or (never, in practice) goes.
    mutating func update(_ name: String, in graph: UnitGraph) {
        let key = UnitKey(name)
        let status: UnitStatus?? =
            graph.status(of: name).map { .some($0) } ?? (graph.dependentCount(of: name) > 0 ? .some(nil) : nil)
        let old = rows[key]
        guard old != status else { return }
        if let old {
            let entry = Entry(name: name, status: old)
            entries.remove(at: lowerBound(entry))
            count(entry, by: -1)
        }
        if let status {
            let entry = Entry(name: name, status: status)
            entries.insert(entry, at: lowerBound(entry))
            count(entry, by: 1)
        }
        rows[key] = status
    }

    /// The index of the row of `name`, if it has one.
    func index(of name: String) -> Int? {
        guard let status = rows[UnitKey(name)] else { return nil }
        return lowerBound(Entry(name: name, status: status))
    }

    /// The widest name, in terminal columns (0 without rows).
    var widestName: Int { nameWidths.keys.max() ?? 0 }

    /// The widest status shown, in terminal columns (0 without rows).
    var widestStatus: Int {
        let shown: [UnitStatus?] = byStatus.keys.map { $0 } + (unregistered > 0 ? [nil] : [])
        return shown.map { $0.display.terminalWidth }.max() ?? 0
    }

    /// Failures first, then the sort key, ties by name A to Z: the order of ``DashboardModel/unitRows``.
    func precedes(_ a: Entry, _ b: Entry) -> Bool {
        let (pinnedA, pinnedB) = (a.status?.isFailure ?? false, b.status?.isFailure ?? false)
        if pinnedA != pinnedB { return pinnedA }
        if sortKey == .status {
            let (rankA, rankB) = (DashboardModel.attentionRank(a.status), DashboardModel.attentionRank(b.status))
            if rankA != rankB { return ascending ? rankA < rankB : rankA > rankB }
        } else if !ascending {
            return bytewise(b.name, a.name)
        }
        return bytewise(a.name, b.name)
    }

    /// The first index whose entry does not precede `entry`.
    private func lowerBound(_ entry: Entry) -> Int {
        var (low, high) = (0, entries.count)
        while low < high {
            let middle = (low + high) / 2
            if precedes(entries[middle], entry) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func count(_ entry: Entry, by delta: Int) {
        if let status = entry.status {
            byStatus[status, default: 0] += delta
            if byStatus[status] == 0 { byStatus[status] = nil }
        } else {
            unregistered += delta
        }
        let width = entry.name.terminalWidth
        nameWidths[width, default: 0] += delta
        if nameWidths[width] == 0 { nameWidths[width] = nil }
    }
}
