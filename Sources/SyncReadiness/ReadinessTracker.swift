import SyncCore
import SyncOS

/// The readiness of one service run by `syncctl run --ready`: which of its checks passed, the latest result of each,
/// the deadline (which `EXTEND_TIMEOUT_USEC=` moves), and how it ended, with the failure in the words the unit
/// records ("not ready after 2m: tcp 127.0.0.1:5432: connection refused", "exited before ready: exit 1"). Pure:
/// the caller passes the time (microseconds, monotonic) and feeds it what the checks and the service did.
public struct ReadinessTracker: Sendable {
    /// How the service's readiness was decided.
    public enum Outcome: Sendable, Equatable {
        /// Every check passed, this long after the start (microseconds).
        case ready(after: Int64)
        /// The unit fails with this reason.
        case failed(String)
    }

    /// What a notify message asks of the caller.
    public enum Effect: Sendable, Equatable {
        case none
        /// `STATUS=`: the unit's note.
        case note(String)
        /// The outcome was decided by this message (READY=1 passed the last check, or ERRNO=/EXIT_STATUS=).
        case decided(Outcome)
    }

    public let checks: [ReadinessCheck]
    public let start: Int64
    /// The timeout given (microseconds), nil for none.
    public let timeout: Int64?
    /// When the checks must have passed (microseconds, monotonic); nil: never.
    public private(set) var deadline: Int64?
    public private(set) var passed: [Bool]
    /// Probes made so far, all checks together.
    public private(set) var attempts = 0
    /// Set once; a failure after ready replaces a ready outcome, nothing replaces a failure.
    public private(set) var outcome: Outcome?
    private var results: [String?]
    private var latestResult: String?

    public init(checks: [ReadinessCheck], start: Int64, timeout: Int64?) {
        self.checks = checks
        self.start = start
        self.timeout = timeout
        deadline = timeout.map { start + $0 }
        passed = Array(repeating: false, count: checks.count)
        results = Array(repeating: nil, count: checks.count)
        if checks.isEmpty { outcome = .ready(after: 0) }
    }

    /// Whether every check passed at some point.
    public var isReady: Bool {
        if case .ready = outcome { return true }
        return false
    }

    /// What is still awaited, for the agent.
    public var progress: ReadinessProgress {
        ReadinessProgress(
            checks: checks.indices.filter { !passed[$0] }.map { checks[$0].description }, attempts: attempts,
            result: latestResult)
    }

    /// Records the result of check `index` (a probe's attempt when `probed`, or a watch that looked again).
    /// - Returns: the outcome, when this result decided it.
    public mutating func record(_ index: Int, _ result: ProbeResult, now: Int64, probed: Bool = true) -> Outcome? {
        guard outcome == nil, !passed[index] else { return nil }
        if probed { attempts += 1 }
        switch result {
        case .passed:
            passed[index] = true
            guard passed.allSatisfy({ $0 }) else { return nil }
            outcome = .ready(after: now - start)
            return outcome
        case .notYet(let reason):
            // An attempt cut off at the deadline says less than the result before it.
            if result == CommandProbe.cutOff && results[index] != nil { return nil }
            results[index] = reason
            if probed { latestResult = reason }
            return nil
        }
    }

    /// Applies one sd_notify message from the service.
    public mutating func apply(_ message: NotifyMessage, now: Int64) -> Effect {
        switch message {
        case .status(let text):
            return .note(text)
        case .ready:
            guard let index = checks.firstIndex(of: .notify) else { return .none }
            return record(index, .passed, now: now, probed: false).map { .decided($0) } ?? .none
        case .errno(let code):
            return fail("service reported ERRNO=\(code) (\(errorText(code)))")
        case .exitStatus(let code):
            return fail("service reported EXIT_STATUS=\(code)")
        case .extendTimeout(let microseconds):
            if outcome == nil, let current = deadline {
                let (wanted, overflow) = now.addingReportingOverflow(max(0, microseconds))
                deadline = overflow ? nil : max(current, wanted)
            }
            return .none
        case .stopping, .reloading, .mainPID, .other:
            return .none
        }
    }

    /// The deadline passed without every check passing: the failure names the first check not yet passed and its
    /// latest result. - Returns: the outcome, when this decided it.
    public mutating func expire(now: Int64) -> Outcome? {
        guard outcome == nil, let deadline, now >= deadline,
            let index = passed.firstIndex(of: false)
        else { return nil }
        let limit =
            deadline - start == timeout
            ? DurationText.text(microseconds: deadline - start, .flag)
            : DurationText.text(microseconds: deadline - start, .short)
        let result = results[index] ?? Self.notYetResult(of: checks[index])
        outcome = .failed("not ready after \(limit): \(checks[index].failureSubject): \(result)")
        return outcome
    }

    /// The service's process ended (`how`: "exit 3", "signal TERM"; `succeeded` for exit 0).
    /// - Returns: the outcome, when this decided or changed it: "exited before ready: exit 1", or "exit 3 after
    ///   ready". An exit 0 after ready keeps the unit completed.
    public mutating func serviceExited(_ how: String, succeeded: Bool) -> Outcome? {
        switch outcome {
        case nil: outcome = .failed("exited before ready: \(how)")
        case .ready where !succeeded: outcome = .failed("\(how) after ready")
        case .ready, .failed: return nil
        }
        return outcome
    }

    /// Fails the unit with `reason` now (a check that cannot be made at all), unless it failed already.
    /// - Returns: the outcome, when this decided it.
    public mutating func failNow(_ reason: String) -> Outcome? {
        if case .failed = outcome { return nil }
        outcome = .failed(reason)
        return outcome
    }

    private mutating func fail(_ reason: String) -> Effect {
        failNow(reason).map { .decided($0) } ?? .none
    }

    /// What a check that gave no result yet is waiting for.
    static func notYetResult(of check: ReadinessCheck) -> String {
        switch check {
        case .notify: return "no READY=1 received"
        case .file: return "does not exist yet"
        case .log: return "no line matched"
        case .tcp, .http, .command: return "not probed yet"
        }
    }
}

extension ReadinessCheck {
    /// The check as a failure reason names it: `tcp 127.0.0.1:5432`, `http://h:8080/up`, `cmd pg_isready`.
    public var failureSubject: String {
        let text = description
        guard let colon = text.firstIndex(of: ":"), !text.hasPrefix("http") else { return text }
        return text[..<colon] + " " + text[text.index(after: colon)...]
    }
}
