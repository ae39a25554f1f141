import SyncCore
import SyncReports

/// The lists the views show, derived from the model on demand (the same functions serve drawing and keys).
extension DashboardModel {
    /// How many units have each status, and how many dependencies nobody registered.
    public var counts: (byStatus: [UnitStatus: Int], unregistered: Int) {
        if let order = unitOrder { return (order.byStatus, order.unregistered) }
        var byStatus: [UnitStatus: Int] = [:]
        for info in graph.allUnits { byStatus[info.status, default: 0] += 1 }
        return (byStatus, graph.unregisteredDependencies.count)
    }

    /// The units table: failures pinned first, then the rest by ``sortKey``; filtered by ``filter``.
    public var unitRows: [UnitRow] {
        let registered = graph.allUnits.map(row(for:))
        let missing = graph.unregisteredDependencies.map(missingRow)
        let rows = (registered + missing).filter { matchesFilter($0.name, $0.status) }
        let pinned = rows.filter(\.isPinned).sorted(by: rowOrder)
        return pinned + rows.filter { !$0.isPinned }.sorted(by: rowOrder)
    }

    /// The units table, as drawn (see ``UnitTable``).
    public var unitTable: UnitTable { UnitTable(self) }

    /// The kept order of the table's rows, when it serves the current sort and there is no filter.
    var keptOrder: UnitOrder? {
        guard let order = unitOrder, filter.isEmpty, order.sortKey == sortKey, order.ascending == sortAscending
        else { return nil }
        return order
    }

    /// Builds the kept order of the table's rows for the current sort, unless it is kept for that sort already; for a
    /// sort it cannot keep, in the status order, which then serves only the header's counts.
    mutating func reorder() {
        let kept = UnitOrder.supports(sortKey)
        let (key, ascending) = kept ? (sortKey, sortAscending) : (.status, true)
        if let order = unitOrder, order.sortKey == key, order.ascending == ascending { return }
        unitOrder = UnitOrder(graph: graph, sortKey: key, ascending: ascending)
    }

    /// The row of a dependency nobody registered.
    func missingRow(_ name: String) -> UnitRow {
        UnitRow(
            name: name, status: nil, waitsOn: [], cause: nil, wantedBy: graph.dependents(of: name), wait: nil,
            run: nil, since: nil, dependencyCount: 0, satisfiedCount: 0)
    }

    /// The row of one registered unit.
    func row(for info: UnitInfo) -> UnitRow {
        let dependencies = graph.dependencies(of: info.name)
        let entry = timeline[info.name]
        var cause: String?
        switch info.status {
        case .failed:
            cause = info.reason.map(goQuoted) ?? "no reason given"
        case .skipped:
            if let recorded = info.cause {
                // The last link only (O(1) per row, however long the chain): `git failed, via repo -> claude`.
                let link = recorded.via.map { "\($0) -> \(info.name)" } ?? recorded.chainDescription
                let path = recorded.chain.isEmpty ? link : recorded.chainDescription
                cause = recorded.rootDescription + ", via " + path
            }
        default:
            break
        }
        return UnitRow(
            name: info.name, status: info.status,
            waitsOn: info.status == .pending ? dependencies.filter { !$0.isSatisfied } : [], cause: cause,
            wantedBy: [], wait: entry?.waitDuration(now: now), run: entry?.runDuration(now: now), since: info.since,
            dependencyCount: dependencies.count, satisfiedCount: dependencies.count(where: \.isSatisfied),
            note: info.note, readiness: info.readiness,
            readyIn: info.status == .completed ? info.readiness.map { $0.startedAt.microseconds(to: info.since) } : nil)
    }

    /// Whether a unit passes the filter: its name or status contains the filter text, ignoring case.
    public func matchesFilter(_ name: String, _ status: UnitStatus?) -> Bool {
        guard !filter.isEmpty else { return true }
        let needle = filter.lowercased()
        return name.lowercased().contains(needle) || status.display.contains(needle)
    }

    /// The sort order of ``sortKey`` and ``sortAscending``; ties by name, A to Z.
    private func rowOrder(_ a: UnitRow, _ b: UnitRow) -> Bool {
        let order: Bool?
        switch sortKey {
        case .status: order = compare(Self.attentionRank(a.status), Self.attentionRank(b.status))
        case .name: order = nil
        case .wait: order = compare(a.wait ?? -1, b.wait ?? -1)
        case .run: order = compare(a.run ?? -1, b.run ?? -1)
        case .changed: order = compare(a.since?.rawValue ?? .min, b.since?.rawValue ?? .min)
        }
        if let order { return sortAscending ? order : !order }
        if sortKey == .name && !sortAscending { return bytewise(b.name, a.name) }
        return bytewise(a.name, b.name)
    }

    /// `true`/`false` for `a < b` / `a > b`, `nil` when equal.
    private func compare<T: Comparable>(_ a: T, _ b: T) -> Bool? { a == b ? nil : a < b }

    /// Failed, skipped, started, pending, not registered, completed.
    static func attentionRank(_ status: UnitStatus?) -> Int {
        switch status {
        case .failed: 0
        case .skipped: 1
        case .started: 2
        case .pending: 3
        case nil: 4
        case .completed: 5
        }
    }

    /// The timeline view's units (registered ones, by first activity), filtered.
    public var timelineRows: [Timeline.Entry] {
        timeline.units.filter { matchesFilter($0.unit, $0.status) }
    }

    /// The history entries the log shows: all of them, or with a filter those about matching units, with their ids.
    public var logEntries: [(id: Int, entry: HistoryEntry)] {
        var out: [(id: Int, entry: HistoryEntry)] = []
        for (offset, entry) in history.entries.enumerated() {
            if !filter.isEmpty {
                guard let unit = entry.unit, matchesFilter(unit, graph.status(of: unit)) else { continue }
            }
            out.append((history.firstID + offset, entry))
        }
        return out
    }
}
