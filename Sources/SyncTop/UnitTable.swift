import SyncCore

/// The units table as the renderer and the cursor see it: its rows by index, the selection, and what the columns'
/// widths depend on. A row is built only when asked for. The order is the model's kept ``UnitOrder`` when it serves
/// the current sort and there is no filter; otherwise it is computed from the kept entries' names and statuses and
/// one sort value per row (a duration, a time, a rank), without building the rows. Both give the rows of
/// ``DashboardModel/unitRows`` in the same order.
public struct UnitTable {
    private let model: DashboardModel
    private let order: UnitOrder?
    /// The rows' names and statuses in order, when ``order`` does not serve.
    private let entries: [UnitOrder.Entry]

    init(_ model: DashboardModel) {
        self.model = model
        if let order = model.keptOrder {
            self.order = order
            entries = []
        } else {
            order = nil
            entries = Self.sorted(model)
        }
    }

    /// Number of rows.
    public var count: Int { order?.count ?? entries.count }

    /// The row at `index` (`0..<count`).
    public subscript(index: Int) -> UnitRow {
        let entry = order?[index] ?? entries[index]
        if entry.status != nil, let info = model.graph.info(entry.name) { return model.row(for: info) }
        return model.missingRow(entry.name)
    }

    /// The index of the selected unit's row, or the first row when it is not listed; `nil` without rows.
    public var selectedIndex: Int? {
        guard let order else {
            guard !entries.isEmpty else { return nil }
            return model.selectedUnit.flatMap { name in entries.firstIndex { sameBytes($0.name, name) } } ?? 0
        }
        guard order.count > 0 else { return nil }
        return model.selectedUnit.flatMap { order.index(of: $0) } ?? 0
    }

    /// The widest name and the widest status, in terminal columns (0 without rows).
    var widestName: Int { order?.widestName ?? entries.map(\.name.terminalWidth).max() ?? 0 }
    var widestStatus: Int { order?.widestStatus ?? entries.map { $0.status.display.terminalWidth }.max() ?? 0 }

    /// Whether some row has dependencies.
    var hasDependencies: Bool {
        guard order == nil else { return model.graph.someUnitHasDependencies }
        return entries.contains { $0.status != nil && model.graph.dependencyCount(of: $0.name) > 0 }
    }

    /// The rows' entries that pass the filter, in the order of ``DashboardModel/unitRows``: failures pinned first,
    /// then by the sort key's value, ties by name A to Z (Z to A for the name sort descending).
    private static func sorted(_ model: DashboardModel) -> [UnitOrder.Entry] {
        let all =
            model.unitOrder?.entries
            ?? (model.graph.unitNames.map { UnitOrder.Entry(name: $0, status: model.graph.status(of: $0)) }
                + model.graph.unregisteredDependencies.map { UnitOrder.Entry(name: $0, status: nil) })
        var keyed: [(entry: UnitOrder.Entry, value: Int64)] = []
        keyed.reserveCapacity(all.count)
        for entry in all where model.matchesFilter(entry.name, entry.status) {
            keyed.append((entry, model.sortValue(entry)))
        }
        let (sortKey, ascending) = (model.sortKey, model.sortAscending)
        keyed.sort { a, b in
            let (pinnedA, pinnedB) = (a.entry.status?.isFailure ?? false, b.entry.status?.isFailure ?? false)
            if pinnedA != pinnedB { return pinnedA }
            if a.value != b.value { return ascending ? a.value < b.value : a.value > b.value }
            if sortKey == .name && !ascending { return bytewise(b.entry.name, a.entry.name) }
            return bytewise(a.entry.name, b.entry.name)
        }
        return keyed.map(\.entry)
    }
}

extension DashboardModel {
    /// What the units table sorts a row by (see ``unitRows``): equal for every row under the name sort.
    func sortValue(_ entry: UnitOrder.Entry) -> Int64 {
        switch sortKey {
        case .status: return Int64(Self.attentionRank(entry.status))
        case .name: return 0
        case .wait, .run:
            guard entry.status != nil, let timing = timeline[entry.name] else { return -1 }
            return (sortKey == .wait ? timing.waitDuration(now: now) : timing.runDuration(now: now)) ?? -1
        case .changed:
            guard entry.status != nil, let info = graph.info(entry.name) else { return .min }
            return info.since.rawValue
        }
    }
}
