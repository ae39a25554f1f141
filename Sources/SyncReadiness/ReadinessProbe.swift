/// What one probe of a service found.
public enum ProbeResult: Sendable, Equatable, CustomStringConvertible {
    /// The check passed: the service is ready.
    case passed
    /// Not ready yet, with a short reason in the words of the failure: "connection refused", "HTTP 503", "exit 1".
    case notYet(String)

    /// True for ``passed``.
    public var isReady: Bool { self == .passed }

    public var description: String {
        switch self {
        case .passed: return "ready"
        case .notYet(let reason): return reason
        }
    }
}

/// A check that is made by asking the service (tcp, http, cmd): one blocking attempt at a time, each bounded by a
/// short timeout of its own. A ``ProbeSchedule`` says when to make the next one.
public protocol ReadinessProbe: Sendable {
    /// Makes one attempt and says what it found. Blocks at most about the probe's attempt timeout (a cmd probe
    /// waits for its command to exit).
    func probe() -> ProbeResult

    /// Makes one attempt that ends by `deadline` (microseconds, monotonic; nil: none). Probes whose attempts are
    /// bounded by their own short timeout just call ``probe()``; a cmd probe kills its command at the deadline.
    func probe(deadline: Int64?) -> ProbeResult

    /// Whether ``probe(deadline:)`` ends an attempt at the deadline (cmd), rather than after a short timeout of its
    /// own that may run past it (tcp, http).
    var endsAtDeadline: Bool { get }
}

extension ReadinessProbe {
    public func probe(deadline: Int64?) -> ProbeResult {
        probe()
    }

    public var endsAtDeadline: Bool { false }
}

extension ReadinessCheck {
    /// The probe of a tcp, http or cmd check; nil for notify, file and log, which are awaited, not probed.
    /// - Parameter attemptTimeout: the longest one attempt of a tcp or http probe may take, in microseconds.
    public func makeProbe(attemptTimeout: Int64 = TCPProbe.defaultAttemptTimeout) -> (any ReadinessProbe)? {
        switch self {
        case .tcp(let host, let port): return TCPProbe(host: host, port: port, attemptTimeout: attemptTimeout)
        case .http(let host, let port, let path):
            return HTTPProbe(host: host, port: port, path: path, attemptTimeout: attemptTimeout)
        case .command(let command): return CommandProbe(command: command)
        case .notify, .file, .log: return nil
        }
    }

    /// The schedule that suits this check's probe: ``ProbeSchedule/command(start:timeout:)`` for cmd,
    /// ``ProbeSchedule/network(start:timeout:)`` otherwise.
    /// - Parameter cap: the longest pause between two attempts instead of the kind's own (25 ms, cmd 250 ms), in
    ///   microseconds (`--probe-max`); the first pauses stay 5 ms doubling, up to it.
    public func defaultSchedule(start: Int64, timeout: Int64?, cap: Int64? = nil) -> ProbeSchedule {
        var schedule: ProbeSchedule
        if case .command = self {
            schedule = .command(start: start, timeout: timeout)
        } else {
            schedule = .network(start: start, timeout: timeout)
        }
        if let cap {
            schedule = ProbeSchedule(
                start: start, timeout: timeout, firstDelay: min(schedule.firstDelay, cap), growth: schedule.growth,
                cap: cap)
        }
        return schedule
    }
}
