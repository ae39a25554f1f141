/// What a starting service still waits for, as its supervisor (`syncctl run --ready`, `syncctl ready`) reports it:
/// summarised (a report every second or so while probing), never one per probe.
public struct ReadinessReport: Sendable, Equatable {
    /// The checks not passed yet, as written on the command line (`tcp:127.0.0.1:5432`); empty once all passed.
    public var checks: [String]
    /// The probes made so far, all checks together.
    public var attempts: Int
    /// The latest failed result (`connection refused`); `nil` before any attempt failed.
    public var result: String?

    public init(checks: [String], attempts: Int, result: String?) {
        self.checks = checks
        self.attempts = attempts
        self.result = result
    }
}

/// A unit's latest readiness report and when the unit was started, so that once it is completed the time it took
/// to become ready is its `since` minus ``startedAt``. Kept until the unit is started again.
public struct UnitReadiness: Sendable, Equatable {
    public var report: ReadinessReport
    /// When the unit was started (the start the report is about).
    public var startedAt: Timestamp

    public init(report: ReadinessReport, startedAt: Timestamp) {
        self.report = report
        self.startedAt = startedAt
    }
}
