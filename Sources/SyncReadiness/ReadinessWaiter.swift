import SyncOS

/// Waits until every check of a service passes, one after another, against one deadline: the blocking core of
/// `syncctl ready`. Probed checks (tcp, http, cmd) run on their ``ProbeSchedule``; `file:` waits on inotify.
/// `notify` and `log:` need the service's own process and are not accepted here (see ``unsupported(_:)``).
public enum ReadinessWaiter {
    /// How waiting ended.
    public enum Outcome: Sendable, Equatable {
        /// Every check passed; `attempts` probes were made in all.
        case ready(attempts: Int)
        /// `check` had not passed when the deadline came; `reason` is its last result ("connection refused").
        case notReady(check: ReadinessCheck, reason: String)
    }

    /// The first check that cannot be waited for from outside the service, if any.
    public static func unsupported(_ checks: [ReadinessCheck]) -> ReadinessCheck? {
        checks.first {
            switch $0 {
            case .notify, .log: return true
            case .tcp, .http, .command, .file: return false
            }
        }
    }

    /// Blocks until every check in `checks` passed, or `timeout` microseconds (nil: no limit) have gone by.
    /// - Parameter progress: called with what is still awaited, as a ``ProgressThrottle`` lets it through.
    /// - Precondition: ``unsupported(_:)`` is nil for `checks`.
    public static func wait(
        for checks: [ReadinessCheck], timeout: Int64?, probeCap: Int64? = nil,
        progress: (ReadinessProgress) -> Void = { _ in }
    ) -> Outcome {
        let start = SystemClock.monotonic()
        let deadline = timeout.map { start + $0 }
        var attempts = 0
        var throttle = ProgressThrottle()
        var latest: String?
        for (index, check) in checks.enumerated() {
            let remaining = checks[index...].map(\.description)
            func report(_ attempts: Int) {
                let now = SystemClock.monotonic()
                let current = ReadinessProgress(checks: remaining, attempts: attempts, result: latest)
                if let sent = throttle.offer(current, now: now) ?? throttle.flush(now: now) { progress(sent) }
            }
            let result: ProbeResult
            if case .file(let path) = check {
                report(attempts)
                let file = FileReadiness(path: path)
                defer { file.close() }
                result = file.wait(deadline: deadline)
                attempts += 1
            } else if let probe = check.makeProbe() {
                let now = SystemClock.monotonic()
                var loop = ProbeLoop(
                    probe: probe,
                    schedule: check.defaultSchedule(
                        start: now, timeout: deadline.map { max(0, $0 - now) }, cap: probeCap)
                )
                let before = attempts
                let outcome = loop.run { result, made in
                    latest = result.description
                    report(before + made)
                    return true
                }
                attempts += outcome.attempts
                result = outcome.result
            } else {
                result = .notYet("cannot be checked from outside the service")
            }
            guard result.isReady else { return .notReady(check: check, reason: result.description) }
        }
        return .ready(attempts: attempts)
    }
}
