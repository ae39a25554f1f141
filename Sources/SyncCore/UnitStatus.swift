/// The status of a registered unit.
///
/// `pending`, `started` and `completed` are coder's statuses with the same spelling; `failed` and `skipped` are ours.
/// A unit that nobody registered has no status: APIs use `UnitStatus?` and render `nil` as `not registered`.
public enum UnitStatus: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Registered (by `want` or `start`) and not started yet.
    case pending
    /// Its script is running: `start` returned.
    case started
    /// Its script finished successfully: `complete` was called.
    case completed
    /// Its script reported a failure with `fail`.
    case failed
    /// It will not run because a unit it depends on failed; the cause is recorded with it.
    case skipped

    /// Whether the unit ended badly, so that waiters whose chain reaches it are released with an error.
    public var isFailure: Bool { self == .failed || self == .skipped }

    /// Sorts in life-cycle order: pending, started, completed, failed, skipped.
    public static func < (lhs: UnitStatus, rhs: UnitStatus) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension Optional where Wrapped == UnitStatus {
    /// The status as people read it: the raw value, or `not registered` for an unknown unit (coder's rendering).
    public var display: String { self?.rawValue ?? "not registered" }

    /// The status on the wire and in JSON output: the raw value, or `""` for an unknown unit (coder's wire value).
    public var wireValue: String { self?.rawValue ?? "" }
}
