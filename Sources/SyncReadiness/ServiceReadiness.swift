@preconcurrency import Glibc
import SyncOS
import Synchronization

/// Watches a service that `syncctl run --ready` started until every one of its checks passes, all checks at once
/// against one deadline, and keeps watching it afterwards (its notify messages, its output) until it ends. What it
/// learns comes out of ``events`` in order; the caller acts on it (completes or fails the unit, sets the note,
/// stops the service).
///
/// Threads: one loop thread owns the state (a ``ReadinessTracker``, a ``ProgressThrottle``, the file watches, the
/// output relays) and waits in `poll(2)` on the notify socket, the output pipes, the inotify descriptors and a wake
/// pipe, with the deadline as its timeout: nothing is polled on a timer. Each tcp, http or cmd check gets a thread
/// of its own that probes on the check's ``ProbeSchedule`` and posts its results to the loop; a cmd attempt is
/// killed at the deadline. Host names of tcp and http checks are resolved with `getaddrinfo`, which the C library
/// does not bound; numeric addresses (the default 127.0.0.1) never wait for it.
public final class ServiceReadiness: Sendable {
    /// What the service did, as the caller needs it.
    public enum Event: Sendable, Equatable {
        /// What the service still waits for, throttled (see ``ProgressThrottle``).
        case progress(ReadinessProgress)
        /// `STATUS=` over notify: the unit's note (also after ready).
        case note(String)
        /// Every check passed, this many microseconds after ``start()``.
        case ready(after: Int64)
        /// The unit fails with `reason`. `stop`: the service still runs and should be stopped (the deadline passed,
        /// or it reported ERRNO=/EXIT_STATUS=); `timedOut` when the deadline passed.
        case failed(reason: String, stop: Bool, timedOut: Bool)
    }

    /// One output pipe of the service and where its bytes go (the write end of `source` is the service's).
    public struct Output: Sendable {
        public var source: Int32
        public var destination: Int32
        public init(source: Int32, destination: Int32) {
            self.source = source
            self.destination = destination
        }
    }

    /// In order; finishes once the service has ended and its output pipes have closed.
    public let events: AsyncStream<Event>
    let continuation: AsyncStream<Event>.Continuation
    let checks: [ReadinessCheck]
    let timeout: Int64?
    /// The longest pause between two probes (microseconds); nil: each kind's own.
    let probeCap: Int64?
    let notify: NotifySocket?
    let outputs: [Output]
    /// Called on the loop thread the moment every check passes, before ``Event/ready(after:)`` is sent.
    let whenReady: (@Sendable () -> Void)?
    /// Read end and write end of the pipe that wakes the loop.
    let wake: (reader: Int32, writer: Int32)
    let inbox = Mutex(Inbox())
    /// The deadline for the probe threads (microseconds, monotonic; `Int64.max`: none).
    let deadline = Atomic<Int64>(.max)
    /// Set once the outcome is decided: probe threads stop.
    let decided = Atomic<Bool>(false)

    /// What other threads hand the loop.
    struct Inbox {
        var results: [(index: Int, result: ProbeResult)] = []
        var exit: (how: String, succeeded: Bool)?
    }

    /// - Parameters:
    ///   - checks: at least one; a notify check needs `notify`, a log check needs `outputs`.
    ///   - timeout: microseconds from ``start()``; nil: no limit.
    ///   - notify: the socket the service was given in NOTIFY_SOCKET; the caller closes it after ``events`` ends.
    ///   - outputs: the service's stdout and stderr pipes, copied to their destination byte for byte and matched
    ///     against the log checks; closed by the loop when they end.
    ///   - whenReady: called on the watching thread the moment every check passes, before ``Event/ready(after:)``
    ///     is sent (a thread hop later): the place to tell the agent at once. It must not block for long.
    /// - Throws: ``ReadinessCheckError`` when the wake pipe cannot be made (no descriptors left).
    public init(
        checks: [ReadinessCheck], timeout: Int64?, probeCap: Int64? = nil, notify: NotifySocket?, outputs: [Output],
        whenReady: (@Sendable () -> Void)? = nil
    ) throws(ReadinessCheckError) {
        guard let pair = wakePair() else {
            throw ReadinessCheckError("cannot wait for the service's readiness: \(errorText())")
        }
        wake = pair
        self.checks = checks
        self.timeout = timeout
        self.probeCap = probeCap
        self.notify = notify
        self.outputs = outputs
        self.whenReady = whenReady
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    deinit {
        // Every thread that writes to the wake pipe holds this object: none is left.
        close(wake.reader)
        close(wake.writer)
    }

    /// Starts watching: the loop thread and one thread per probed check. Call it once, right after the spawn.
    public func start() {
        let start = SystemClock.monotonic()
        if let timeout { deadline.store(start + timeout, ordering: .sequentiallyConsistent) }
        for (index, check) in checks.enumerated() {
            guard let probe = check.makeProbe() else { continue }
            let schedule = check.defaultSchedule(start: start, timeout: nil, cap: probeCap)
            startThread { self.probe(index, probe, schedule: schedule) }
        }
        startThread {
            var loop = ReadinessLoop(self, start: start)
            loop.run()
        }
    }

    /// The service's process ended (`how`: "exit 3", "signal TERM"; `succeeded` for exit 0). ``events`` ends once
    /// its output pipes close too.
    public func serviceExited(_ how: String, succeeded: Bool) {
        inbox.withLock { $0.exit = (how, succeeded) }
        wakeLoop()
    }

    func wakeLoop() {
        var byte: UInt8 = 1
        _ = write(wake.writer, &byte, 1)
    }

    /// A probe thread: attempts on `schedule` (without a deadline of its own: the loop decides when time is up)
    /// until a pass or until the outcome is decided. It wakes the loop for a pass or a new result at once, and for
    /// more of the same at most every ``ProgressThrottle/changeInterval`` (the loop counts them when it wakes), so
    /// a port probed 40 times a second does not wake a second thread 40 times a second.
    private func probe(_ index: Int, _ probe: any ReadinessProbe, schedule: ProbeSchedule) {
        var schedule = schedule
        var woken: (at: Int64, result: ProbeResult)?
        while let time = schedule.next(now: SystemClock.monotonic()) {
            ProbeLoop.sleep(until: time)
            if decided.load(ordering: .sequentiallyConsistent) { return }
            let limit = deadline.load(ordering: .sequentiallyConsistent)
            let result = probe.probe(deadline: limit == .max ? nil : limit)
            if decided.load(ordering: .sequentiallyConsistent) { return }
            inbox.withLock { $0.results.append((index, result)) }
            let now = SystemClock.monotonic()
            let news = woken.map { $0.result != result || now - $0.at >= ProgressThrottle.changeInterval } ?? true
            if result.isReady || news {
                woken = (now, result)
                wakeLoop()
            }
            if result.isReady { return }
        }
    }
}

/// A connected pair of descriptors for waking a thread that polls (read end, write end), close-on-exec and
/// non-blocking from the start (a socket pair: `pipe2` is not visible from Swift). Nil when out of descriptors.
func wakePair() -> (reader: Int32, writer: Int32)? {
    var ends: [Int32] = [-1, -1]
    let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
    guard socketpair(AF_UNIX, type, 0, &ends) == 0 else { return nil }
    return (ends[0], ends[1])
}
