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
    /// The latest readiness report of the unit's service, until it is started again.
    public var readiness: UnitReadiness? = nil
    /// Microseconds from its start to its completion, for a completed unit with a readiness report.
    public var readyIn: Int64? = nil

    /// Failures are pinned to the top of the table.
    public var isPinned: Bool { status?.isFailure ?? false }

    /// Whether a pending unit has every dependency satisfied (it can start as soon as its script asks).
    public var isReady: Bool { status == .pending && waitsOn.isEmpty }

    /// WAITING ON / CAUSE: a failure's cause, the unmet dependencies with their status (just their names when that
    /// does not fit `width`), `ready, not started`, who wants a dependency nobody registered, or else (a started or
    /// completed unit waits on nothing) what its service waits for (`ready? tcp:5432 · attempt 12 · connection
    /// refused`) or took (`ready in 1.4 s`), and the unit's note.
    public func summary(fitting width: Int = .max, theme: Theme = .standard) -> String {
        if let cause { return cause }
        if status == nil { return "wanted by " + wantedBy.joined(separator: ", ") }
        if isReady { return "ready, not started" }
        if waitsOn.isEmpty, let service = serviceSummary(theme: theme) {
            return note.map { service + " \(theme.dot) " + $0 } ?? service
        }
        if waitsOn.isEmpty, let note { return note }
        let verbose = waitsOn.map { "\($0.dependsOn) (\($0.currentStatus.display))" }.joined(separator: ", ")
        if verbose.terminalWidth <= width { return verbose }
        return waitsOn.map(\.dependsOn).joined(separator: ", ")
    }
}

extension UnitRow {
    /// `ready? tcp:5432 · attempt 12 · connection refused` while a started service is not ready, `ready in 1.4 s`
    /// once it is completed; `nil` for a unit without a readiness report.
    public func serviceSummary(theme: Theme) -> String? {
        guard let report = readiness?.report else { return nil }
        switch status {
        case .started?:
            var parts = [
                report.checks.isEmpty
                    ? "ready? every check passed" : "ready? " + report.checks.map(Self.short).joined(separator: ", ")
            ]
            if report.attempts > 0 { parts.append("attempt \(report.attempts)") }
            if let result = report.result { parts.append(result) }
            return parts.joined(separator: " \(theme.dot) ")
        case .completed?:
            return readyIn.map { "ready in " + Self.spaced($0) }
        default:
            return nil
        }
    }

    /// A check as the table shows it: a tcp or http check on this host without its host (`tcp:5432`,
    /// `http:8000/health`), so that the result still fits beside it.
    static func short(_ check: String) -> String {
        for (local, kind) in [
            ("tcp:127.0.0.1:", "tcp:"), ("tcp:localhost:", "tcp:"), ("http://127.0.0.1:", "http:"),
            ("http://localhost:", "http:"),
        ] where check.hasPrefix(local) {
            return kind + check.dropFirst(local.count)
        }
        return check
    }

    /// `1.4 s`, `45.0 s`, `1m05s`: sync-top's durations with a space before a lone unit of seconds.
    static func spaced(_ microseconds: Int64) -> String {
        let text = Format.duration(microseconds)
        guard text.hasSuffix("s"), !text.contains("m"), !text.contains("h") else { return text }
        return text.dropLast() + " s"
    }
}
