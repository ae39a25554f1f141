/// The dashboard's views, in the order Tab cycles through them.
public enum DashboardView: Int, Sendable, Hashable, CaseIterable {
    /// The table of units with the detail pane of the selected one.
    case units = 1
    /// Each unit with the tree of its dependencies.
    case tree
    /// Gantt bars of waits and runs, with the critical path.
    case timeline
    /// Every event and connection change, newest last.
    case log

    /// The name on its tab.
    public var title: String {
        switch self {
        case .units: "Units"
        case .tree: "Tree"
        case .timeline: "Timeline"
        case .log: "Log"
        }
    }

    /// The next view (Tab), wrapping around.
    public var next: DashboardView { DashboardView(rawValue: rawValue % Self.allCases.count + 1)! }
    /// The previous view (Shift-Tab), wrapping around.
    public var previous: DashboardView {
        DashboardView(rawValue: (rawValue + Self.allCases.count - 2) % Self.allCases.count + 1)!
    }
}

/// What the units table is sorted by. Failures stay pinned on top whatever the key.
public enum SortKey: Int, Sendable, Hashable, CaseIterable {
    /// Attention order: started, pending, not registered, completed (failed and skipped are pinned above).
    case status
    case name
    /// Time spent waiting, longest first when descending.
    case wait
    /// Time spent running.
    case run
    /// When the row last changed.
    case changed

    /// The column title it sorts.
    public var column: String {
        switch self {
        case .status: "STATUS"
        case .name: "NAME"
        case .wait: "WAIT"
        case .run: "RUN"
        case .changed: "AGE"
        }
    }

    /// The next key (`s`), wrapping around.
    public var next: SortKey { SortKey(rawValue: (rawValue + 1) % Self.allCases.count)! }
}
