@preconcurrency import Glibc
import SyncOS

/// The loop thread of a ``ServiceReadiness``, and the one owner of its state: feeds the tracker what the probe
/// threads, the notify socket, the file watches and the output relays report, turns decisions into events, and
/// sleeps in `poll(2)` until the next of those descriptors is readable, the deadline, or a held progress report.
struct ReadinessLoop {
    private let service: ServiceReadiness
    private var tracker: ReadinessTracker
    private var throttle = ProgressThrottle()
    private var files: [(index: Int, watch: FileReadiness)] = []
    private var relays: [OutputRelay]
    private var exited = false
    /// Whether a failure told the caller to stop the service already (at most once).
    private var failed = false
    /// Whether progress waits for a first probe's result: the first report then says what it found, at once.
    private let probed: Bool

    init(_ service: ServiceReadiness, start: Int64) {
        self.service = service
        tracker = ReadinessTracker(checks: service.checks, start: start, timeout: service.timeout)
        relays = service.outputs.map { OutputRelay($0, checks: service.checks) }
        probed = service.checks.contains { $0.makeProbe() != nil }
    }

    mutating func run() {
        for (index, check) in service.checks.enumerated() {
            guard case .file(let path) = check else { continue }
            files.append((index, FileReadiness(path: path)))
        }
        while true {
            step(now: SystemClock.monotonic())
            if exited && relays.allSatisfy({ !$0.isOpen }) { break }
            wait()
        }
        service.decided.store(true, ordering: .sequentiallyConsistent)
        for file in files { file.watch.close() }
        service.continuation.finish()
    }

    /// Takes in everything that happened since the last step.
    private mutating func step(now: Int64) {
        var drained = [UInt8](repeating: 0, count: 256)
        while read(service.wake.reader, &drained, drained.count) > 0 {}
        let (results, exit) = service.inbox.withLock { inbox in
            defer {
                inbox.results.removeAll()
                inbox.exit = nil
            }
            return (inbox.results, inbox.exit)
        }
        for (index, result) in results { decide(tracker.record(index, result, now: now), stop: false) }
        if let notify = service.notify, !exited {
            for message in notify.receive() { apply(message, now: now) }
        }
        for file in files where !tracker.passed[file.index] {
            decide(tracker.record(file.index, file.watch.check(), now: now, probed: false), stop: false)
        }
        for slot in relays.indices {
            for index in relays[slot].pump() {
                for other in relays.indices { relays[other].passed(index) }
                decide(tracker.record(index, .passed, now: now, probed: false), stop: false)
            }
        }
        if tracker.outcome == nil {
            decide(tracker.expire(now: now), stop: true, timedOut: true)
            report(now: now)
        }
        if let exit {
            exited = true
            decide(tracker.serviceExited(exit.how, succeeded: exit.succeeded), stop: false)
        }
    }

    private mutating func apply(_ message: NotifyMessage, now: Int64) {
        switch tracker.apply(message, now: now) {
        case .none: break
        case .note(let text): service.continuation.yield(.note(text))
        case .decided(let outcome): decide(outcome, stop: true)
        }
        if case .extendTimeout = message, let deadline = tracker.deadline {
            service.deadline.store(deadline, ordering: .sequentiallyConsistent)
        }
    }

    /// Sends the event of an outcome just decided; `stop` when the service may still run and must be stopped.
    private mutating func decide(_ outcome: ReadinessTracker.Outcome?, stop: Bool, timedOut: Bool = false) {
        guard let outcome else { return }
        service.decided.store(true, ordering: .sequentiallyConsistent)
        switch outcome {
        case .ready(let after):
            service.whenReady?()
            service.continuation.yield(.ready(after: after))
        case .failed(let reason):
            let stopping = stop && !exited && !failed
            failed = true
            service.continuation.yield(.failed(reason: reason, stop: stopping, timedOut: timedOut))
        }
    }

    /// Offers the current progress to the throttle, and sends what it lets through.
    private mutating func report(now: Int64) {
        guard tracker.outcome == nil, tracker.attempts > 0 || !probed else { return }
        if let progress = throttle.offer(tracker.progress, now: now) ?? throttle.flush(now: now) {
            service.continuation.yield(.progress(progress))
        }
    }

    /// Sleeps until a descriptor is readable, the deadline, or the held progress report is due.
    private func wait() {
        var entries = [pollfd(fd: service.wake.reader, events: Int16(POLLIN), revents: 0)]
        if let notify = service.notify, !exited {
            entries.append(pollfd(fd: notify.descriptor, events: Int16(POLLIN), revents: 0))
        }
        for relay in relays where relay.isOpen {
            entries.append(pollfd(fd: relay.source, events: Int16(POLLIN), revents: 0))
        }
        var wakeAt: Int64?
        if tracker.outcome == nil {
            var looks: [Int64] = []
            for file in files where !tracker.passed[file.index] {
                if file.watch.descriptor >= 0 {
                    entries.append(pollfd(fd: file.watch.descriptor, events: Int16(POLLIN), revents: 0))
                }
                if let next = file.watch.nextCheck { looks.append(next) }
            }
            wakeAt = ([tracker.deadline, throttle.due].compactMap { $0 } + looks).min()
        }
        var timeout: Int32 = -1
        if let wakeAt {
            let left = max(0, wakeAt - SystemClock.monotonic())
            timeout = Int32(min(Int64(Int32.max), (left + 999) / 1000))
        }
        _ = poll(&entries, nfds_t(entries.count), timeout)
    }
}
