import SyncCore

/// The units table as the renderer and the cursor see it: its rows by index, the selection, and what the columns'
/// widths depend on. Backed by the model's kept ``UnitOrder`` when it serves the current sort and there is no
/// filter (a row is then built only when asked for), else by ``DashboardModel/unitRows``; both give the same rows
/// in the same order.
public struct UnitTable {
    private let model: DashboardModel
    private let order: UnitOrder?
    private let rows: [UnitRow]

    init(_ model: DashboardModel) {
        self.model = model
        if let order = model.keptOrder {
            self.order = order
            rows = []
        } else {
            order = nil
            rows = model.unitRows
        }
    }

    /// Number of rows.
    public var count: Int { order?.entries.count ?? rows.count }

    /// The row at `index` (`0..<count`).
    public subscript(index: Int) -> UnitRow {
        guard let order else { return rows[index] }
        let entry = order.entries[index]
        if entry.status != nil, let info = model.graph.info(entry.name) { return model.row(for: info) }
        return model.missingRow(entry.name)
    }

    /// The index of the selected unit's row, or the first row when it is not listed; `nil` without rows.
    public var selectedIndex: Int? {
        guard let order else { return model.selectedIndex(in: rows) }
        guard !order.entries.isEmpty else { return nil }
        return model.selectedUnit.flatMap { order.index(of: $0) } ?? 0
    }

    /// The widest name and the widest status, in terminal columns (0 without rows).
    var widestName: Int { order?.widestName ?? rows.map(\.name.terminalWidth).max() ?? 0 }
    var widestStatus: Int { order?.widestStatus ?? rows.map { $0.status.display.terminalWidth }.max() ?? 0 }

    /// Whether some row has dependencies.
    var hasDependencies: Bool {
        order == nil ? rows.contains { $0.dependencyCount > 0 } : model.graph.someUnitHasDependencies
    }
}
