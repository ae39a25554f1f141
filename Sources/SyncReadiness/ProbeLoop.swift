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
    /// or to stop: return false to end the loop with the result so far). A probe whose attempts end at the deadline
    /// (cmd) makes no attempt at the deadline itself after an earlier one, and an attempt cut off there
    /// (``CommandProbe/cutOff``) leaves the earlier result as the last: it says more about the service.
    public mutating func run(attempted: (ProbeResult, Int) -> Bool = { _, _ in true }) -> Outcome {
        var last = ProbeResult.notYet("not probed")
        var made = 0
        while let time = schedule.next(now: SystemClock.monotonic()) {
            Self.sleep(until: time)
            if made > 0, probe.endsAtDeadline, let deadline = schedule.deadline, time >= deadline { break }
            let result = probe.probe(deadline: schedule.deadline)
            if result != CommandProbe.cutOff || made == 0 { last = result }
            made += 1
            if last.isReady || !attempted(last, made) { break }
        }
        return Outcome(result: last, attempts: made)
    }

    /// Sleeps until `time` (microseconds, monotonic); returns at once if it has passed.
    static func sleep(until time: Int64) {
        var spec = timespec(tv_sec: Int(time / 1_000_000), tv_nsec: Int(time % 1_000_000) * 1000)
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &spec, nil) == EINTR {}
    }
}
