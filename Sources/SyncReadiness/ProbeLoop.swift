@preconcurrency import Glibc
import SyncOS

/// Probes a service on its schedule until it passes or the schedule's deadline passes, sleeping in between: the
/// blocking loop of a thread that does nothing else (`syncctl ready`, or one thread per probed check of `run`).
public struct ProbeLoop {
    /// What the loop ended with: the last attempt's result and how many attempts were made.
    public struct Outcome: Sendable, Equatable {
        public var result: ProbeResult
        public var attempts: Int
    }

    public let probe: any ReadinessProbe
    public private(set) var schedule: ProbeSchedule

    public init(probe: any ReadinessProbe, schedule: ProbeSchedule) {
        self.probe = probe
        self.schedule = schedule
    }

    /// Probes until a pass or the deadline; `attempted` is called after each attempt (for a summary of attempts,
    /// or to stop: return false to end the loop with the result so far).
    public mutating func run(attempted: (ProbeResult, Int) -> Bool = { _, _ in true }) -> Outcome {
        var last = ProbeResult.notYet("not probed")
        while let time = schedule.next(now: SystemClock.monotonic()) {
            Self.sleep(until: time)
            last = probe.probe(deadline: schedule.deadline)
            if last.isReady || !attempted(last, schedule.attempts) { break }
        }
        return Outcome(result: last, attempts: schedule.attempts)
    }

    /// Sleeps until `time` (microseconds, monotonic); returns at once if it has passed.
    static func sleep(until time: Int64) {
        var spec = timespec(tv_sec: Int(time / 1_000_000), tv_nsec: Int(time % 1_000_000) * 1000)
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &spec, nil) == EINTR {}
    }
}
