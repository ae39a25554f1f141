/// What a service still waits for, summarised for the agent and sync-top: the checks not yet passed, how many
/// probes were made, and the latest failed result. Reported through a ``ProgressThrottle``, never once per probe.
public struct ReadinessProgress: Sendable, Equatable {
    /// The checks not yet passed, as `ReadinessCheck.description` gives them.
    public var checks: [String]
    /// Probes made so far, all checks together.
    public var attempts: Int
    /// The latest failed result, e.g. "connection refused"; nil before any.
    public var result: String?

    public init(checks: [String], attempts: Int, result: String?) {
        self.checks = checks
        self.attempts = attempts
        self.result = result
    }
}

/// Decides when a service's ``ReadinessProgress`` is worth sending: the first report at once; a report whose checks
/// or result text changed at most once per ``changeInterval``; one where only the attempts grew at most once per
/// ``interval``. A report that comes too early is held and handed out by ``flush(now:)`` once ``due`` has come, so
/// the last state is never lost. Pure: the caller passes the time (microseconds, monotonic) and owns the value.
public struct ProgressThrottle: Sendable, Equatable {
    /// The shortest time between two reports that differ only in their attempts: 1 s.
    public static let interval: Int64 = 1_000_000
    /// The shortest time between two reports when the checks or the result changed: 250 ms.
    public static let changeInterval: Int64 = 250_000

    private var sent: ReadinessProgress?
    private var sentAt: Int64 = 0
    private var held: ReadinessProgress?

    public init() {}

    /// When the held report may be sent (microseconds, monotonic); nil when none is held.
    public var due: Int64? {
        guard let held, let sent else { return nil }
        return sentAt + (Self.isChange(from: sent, to: held) ? Self.changeInterval : Self.interval)
    }

    /// Takes the latest progress; returns what to send now (it, or nothing: it is held, or nothing changed).
    public mutating func offer(_ progress: ReadinessProgress, now: Int64) -> ReadinessProgress? {
        guard progress != sent else {
            held = nil
            return nil
        }
        held = progress
        return flush(now: now)
    }

    /// The held report, if its time has come; it then counts as sent.
    public mutating func flush(now: Int64) -> ReadinessProgress? {
        guard let progress = held else { return nil }
        if let due, now < due { return nil }
        held = nil
        sent = progress
        sentAt = now
        return progress
    }

    private static func isChange(from old: ReadinessProgress, to new: ReadinessProgress) -> Bool {
        old.checks != new.checks || old.result != new.result
    }
}
