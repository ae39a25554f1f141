import SyncCore

/// One row of the units table: a registered unit, or a dependency nobody registered.
public struct UnitRow: Sendable, Equatable {
    public var name: String
    /// `nil` for a dependency nobody registered.
    public var status: UnitStatus?
    /// The unsatisfied dependencies of a pending unit, sorted by name.
    public var waitsOn: [DependencyInfo]
    /// Why a failed or skipped unit ended: its quoted reason (`"exit 128"`), or the root cause and chain of a
    /// skipped one (`git failed ("exit 128"), via git -> claude`).
    public var cause: String?
    /// The units that want a dependency nobody registered.
    public var wantedBy: [String]
    /// Microseconds waited / run so far; `nil` when it never waited / started.
    public var wait: Int64?
    public var run: Int64?
    /// When its status last changed; `nil` when not registered.
    public var since: Timestamp?
    /// Number of dependencies, and how many are satisfied.
    public var dependencyCount: Int
    public var satisfiedCount: Int
    /// The unit's progress note (`syncctl note`), whatever its status.
    public var note: String? = nil

    /// Failures are pinned to the top of the table.
    public var isPinned: Bool { status?.isFailure ?? false }

    /// Whether a pending unit has every dependency satisfied (it can start as soon as its script asks).
    public var isReady: Bool { status == .pending && waitsOn.isEmpty }

    /// WAITING ON / CAUSE: a failure's cause, the unmet dependencies with their status (just their names when that
    /// does not fit `width`), `ready, not started`, who wants a dependency nobody registered, or else the unit's
    /// note (a started or completed unit waits on nothing).
    public func summary(fitting width: Int = .max) -> String {
        if let cause { return cause }
        if status == nil { return "wanted by " + wantedBy.joined(separator: ", ") }
        if isReady { return "ready, not started" }
        if waitsOn.isEmpty, let note { return note }
        let verbose = waitsOn.map { "\($0.dependsOn) (\($0.currentStatus.display))" }.joined(separator: ", ")
        if verbose.terminalWidth <= width { return verbose }
        return waitsOn.map(\.dependsOn).joined(separator: ", ")
    }
}
