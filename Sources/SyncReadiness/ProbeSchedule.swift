/// When to probe a service that is not ready yet: the first attempt at once, then after a delay that starts at
/// ``firstDelay`` and grows by ``growth`` after each attempt up to ``cap``, until the deadline. Pure: the caller
/// passes the time (microseconds of a monotonic clock, as `SystemClock.monotonic()`), so it is tested without sleeps.
///
/// The default for tcp and http, ``network``: 0, 5, 10, 20 ms after the previous attempt, then every 25 ms. A port
/// that opens early is seen within the delay in force then (≤ 5 ms in the first 5 ms, ≤ 25 ms ever after), so the
/// p50 from `listen()` to the pass is ~12 ms and p99 ~25 ms plus the probe. A probe of a closed local port costs
/// tens of microseconds (socket, connect refused, close), so 40 attempts a second cost well under 1 % of a core.
///
/// The default for cmd, ``command``: 0, 5, 10, 20, 40, 80, 160 ms, then every 250 ms: spawning a shell costs about
/// a millisecond, so the cap is ten times longer to keep an idle probing unit under 1 % of a core.
public struct ProbeSchedule: Sendable, Equatable {
    /// The delay after the first attempt, in microseconds.
    public let firstDelay: Int64
    /// The factor by which the delay grows after each attempt (≥ 1).
    public let growth: Double
    /// The longest delay, in microseconds.
    public let cap: Int64
    /// When probing stops (microseconds, same clock as the times passed in); nil: never.
    public private(set) var deadline: Int64?
    /// How many attempts ``next(now:)`` has handed out.
    public private(set) var attempts = 0
    private var delay: Int64

    /// - Parameters:
    ///   - start: the time of the first attempt, usually now.
    ///   - timeout: how long after `start` probing stops, in microseconds; nil: never.
    public init(start: Int64, timeout: Int64?, firstDelay: Int64 = 5_000, growth: Double = 2, cap: Int64 = 25_000) {
        self.firstDelay = max(0, firstDelay)
        self.growth = max(1, growth)
        self.cap = max(self.firstDelay, cap)
        self.deadline = timeout.map { start + max(0, $0) }
        self.delay = self.firstDelay
    }

    /// The schedule for tcp and http probes: 5 ms doubling to a 25 ms cap.
    public static func network(start: Int64, timeout: Int64?) -> ProbeSchedule {
        ProbeSchedule(start: start, timeout: timeout, firstDelay: 5_000, growth: 2, cap: 25_000)
    }

    /// The schedule for cmd probes: 5 ms doubling to a 250 ms cap.
    public static func command(start: Int64, timeout: Int64?) -> ProbeSchedule {
        ProbeSchedule(start: start, timeout: timeout, firstDelay: 5_000, growth: 2, cap: 250_000)
    }

    /// The time of the next attempt, given that the previous one (if any) ended at `now`: `now` for the first
    /// attempt, then `now` plus the current delay, never later than the deadline, so the last attempt is made at
    /// the deadline. Nil once `now` has reached the deadline after at least one attempt: probing is over.
    public mutating func next(now: Int64) -> Int64? {
        if attempts == 0 {
            attempts = 1
            return now
        }
        if let deadline, now >= deadline { return nil }
        var time = now + delay
        if let deadline { time = min(time, deadline) }
        attempts += 1
        delay = min(cap, max(delay + 1, Int64((Double(delay) * growth).rounded())))
        if growth == 1 { delay = min(cap, firstDelay) }
        return time
    }

    /// Moves the deadline (sd_notify's `EXTEND_TIMEOUT_USEC`, or a new timeout); nil: never stop.
    public mutating func setDeadline(_ deadline: Int64?) {
        self.deadline = deadline
    }

    /// How long an attempt starting at `now` may take so that it ends by the deadline, capped at `limit`.
    public func attemptBudget(now: Int64, limit: Int64) -> Int64 {
        guard let deadline else { return limit }
        return max(0, min(limit, deadline - now))
    }
}
