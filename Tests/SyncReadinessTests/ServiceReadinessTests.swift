@preconcurrency import Glibc
import SyncOS
import Synchronization
import Testing

@testable import SyncReadiness

/// ``ServiceReadiness`` against real descriptors: files, pipes, a notify socket, a refused port. The service itself
/// is played by the test (it writes, sends, and says when it exited). No timing goals here.
/// Reads the events of a ``ServiceReadiness`` in order. A failure that was not asked for is recorded and ends every
/// later search, so a test that goes wrong (a machine out of inotify instances) fails instead of waiting forever.
final class EventReader {
    private var iterator: AsyncStream<ServiceReadiness.Event>.Iterator
    private var failed = false

    init(_ readiness: ServiceReadiness) {
        iterator = readiness.events.makeAsyncIterator()
    }

    /// The next event that satisfies `wanted`; nil when the events ended or an unwanted failure came first.
    func next(where wanted: (ServiceReadiness.Event) -> Bool) async -> ServiceReadiness.Event? {
        guard !failed else { return nil }
        while let event = await iterator.next() {
            if wanted(event) { return event }
            if case .failed = event {
                failed = true
                Issue.record("unexpected \(event)")
                return nil
            }
        }
        return nil
    }

    /// Every event left until the stream ends (the service exited and its output closed).
    func rest() async -> [ServiceReadiness.Event] {
        var all: [ServiceReadiness.Event] = []
        while let event = await iterator.next() { all.append(event) }
        return all
    }
}

/// ``ServiceReadiness`` against real descriptors: files, pipes, a notify socket, a refused port. The service itself
/// is played by the test (it writes, sends, and says when it exited). No timing goals here.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ServiceReadinessTests {
    private static func pipe() -> [Int32] {
        var ends: [Int32] = [-1, -1]
        #expect(Glibc.pipe(&ends) == 0)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return ends
    }

    private static func isReady(_ event: ServiceReadiness.Event) -> Bool {
        if case .ready = event { return true }
        return false
    }

    private static func isNote(_ event: ServiceReadiness.Event) -> Bool {
        if case .note = event { return true }
        return false
    }

    private static func isProgress(_ event: ServiceReadiness.Event) -> Bool {
        if case .progress = event { return true }
        return false
    }

    private static func isFailure(_ event: ServiceReadiness.Event) -> Bool {
        if case .failed = event { return true }
        return false
    }

    @Test func aFileCreatedLaterMakesTheServiceReady() async throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let path = directory.path + "/later/ready"
        let readiness = try ServiceReadiness(checks: [.file(path)], timeout: nil, notify: nil, outputs: [])
        let events = EventReader(readiness)
        readiness.start()
        #expect(
            await events.next(where: Self.isProgress)
                == .progress(ReadinessProgress(checks: ["file:\(path)"], attempts: 0, result: nil)))
        #expect(mkdir(directory.path + "/later", 0o700) == 0)
        #expect(creat(path, 0o600) >= 0)
        #expect(await events.next(where: Self.isReady) != nil)
        readiness.serviceExited("exit 0", succeeded: true)
        #expect(await events.rest() == [])
    }

    @Test func aLogLineSplitAcrossWritesMatchesAndTheOutputPassesUnchanged() async throws {
        // Close-on-exec at once: a child that another test spawns meanwhile must not hold a write end, or the end of
        // the output would never come.
        let service = Self.pipe()
        let terminal = Self.pipe()
        let readiness = try ServiceReadiness(
            checks: [.log(pattern: "listening on [0-9]+")], timeout: nil, notify: nil,
            outputs: [.init(source: service[0], destination: terminal[1])])
        let events = EventReader(readiness)
        readiness.start()
        try Descriptor.writeAll(service[1], "starting\r\nlisten")
        try Descriptor.writeAll(service[1], "ing on 80")
        try Descriptor.writeAll(service[1], "80\n")
        #expect(await events.next(where: Self.isReady) != nil)
        try Descriptor.writeAll(service[1], "after ready, no newline")
        close(service[1])
        readiness.serviceExited("exit 0", succeeded: true)
        _ = await events.rest()
        close(terminal[1])
        var copied: [UInt8] = []
        while case let chunk = try Descriptor.readSome(terminal[0]), !chunk.isEmpty { copied += chunk }
        close(terminal[0])
        #expect(String(decoding: copied, as: UTF8.self) == "starting\r\nlistening on 8080\nafter ready, no newline")
    }

    @Test func notifyReadyAndStatusOverTheSocket() async throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        let readiness = try ServiceReadiness(checks: [.notify], timeout: 60_000_000, notify: socket, outputs: [])
        let events = EventReader(readiness)
        readiness.start()
        try NotifySocket.send("STATUS=warming up", to: socket.path)
        #expect(await events.next(where: Self.isNote) == .note("warming up"))
        try NotifySocket.send("READY=1\nSTATUS=accepting", to: socket.path)
        #expect(await events.next(where: Self.isReady) != nil)
        #expect(await events.next(where: Self.isNote) == .note("accepting"))
        readiness.serviceExited("exit 0", succeeded: true)
        #expect(await events.rest() == [])
    }

    @Test func whenReadyRunsOnTheWatchingThreadBeforeTheReadyEvent() async throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        let calls = Atomic<Int>(0)
        let readiness = try ServiceReadiness(
            checks: [.notify], timeout: 60_000_000, notify: socket, outputs: [],
            whenReady: { calls.add(1, ordering: .sequentiallyConsistent) })
        let events = EventReader(readiness)
        readiness.start()
        try NotifySocket.send("STATUS=warming up", to: socket.path)
        #expect(await events.next(where: Self.isNote) == .note("warming up"))
        #expect(calls.load(ordering: .sequentiallyConsistent) == 0)
        try NotifySocket.send("READY=1", to: socket.path)
        #expect(await events.next(where: Self.isReady) != nil)
        // Called once, and already when the event arrives: the caller's message left before the hand-over.
        #expect(calls.load(ordering: .sequentiallyConsistent) == 1)
        try NotifySocket.send("READY=1", to: socket.path)
        readiness.serviceExited("exit 0", succeeded: true)
        #expect(await events.rest() == [])
        #expect(calls.load(ordering: .sequentiallyConsistent) == 1)
    }

    @Test func errnoFailsAndAsksToStopTheService() async throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        let readiness = try ServiceReadiness(checks: [.notify], timeout: nil, notify: socket, outputs: [])
        let events = EventReader(readiness)
        readiness.start()
        try NotifySocket.send("ERRNO=13", to: socket.path)
        #expect(
            await events.next(where: Self.isFailure)
                == .failed(reason: "service reported ERRNO=13 (permission denied)", stop: true, timedOut: false))
        readiness.serviceExited("signal TERM", succeeded: false)
        #expect(await events.rest() == [])
    }

    @Test func aRefusedPortTimesOutWithItsLastResultAfterReportingProgress() async throws {
        let listener = TestListener()
        let readiness = try ServiceReadiness(
            checks: [.tcp(host: "127.0.0.1", port: listener.port)], timeout: 1_000_000, notify: nil, outputs: [])
        let events = EventReader(readiness)
        readiness.start()
        let progress = await events.next { _ in true }
        guard case .progress(let progress) = progress else {
            Issue.record("no progress before the failure: \(String(describing: progress))")
            return
        }
        #expect(progress.checks == ["tcp:127.0.0.1:\(listener.port)"] && progress.result == "connection refused")
        #expect(progress.attempts >= 1)
        #expect(
            await events.next(where: Self.isFailure)
                == .failed(
                    reason: "not ready after 1s: tcp 127.0.0.1:\(listener.port): connection refused", stop: true,
                    timedOut: true))
        readiness.serviceExited("signal TERM", succeeded: false)
        #expect(await events.rest() == [])
    }

    @Test func exitingBeforeReadyFailsWithoutAskingToStop() async throws {
        let listener = TestListener()
        let readiness = try ServiceReadiness(
            checks: [.tcp(host: "127.0.0.1", port: listener.port)], timeout: nil, notify: nil, outputs: [])
        let events = EventReader(readiness)
        readiness.start()
        readiness.serviceExited("exit 1", succeeded: false)
        let remaining = await events.rest().filter { !Self.isProgress($0) }
        #expect(remaining == [.failed(reason: "exited before ready: exit 1", stop: false, timedOut: false)])
    }

    @Test func everyCheckMustPassBeforeReady() async throws {
        let listener = TestListener()
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let flag = directory.path + "/flag"
        let readiness = try ServiceReadiness(
            checks: [.tcp(host: "127.0.0.1", port: listener.port), .file(flag)], timeout: nil, notify: nil,
            outputs: [])
        let events = EventReader(readiness)
        readiness.start()
        listener.listen()
        let progress = await events.next {
            if case .progress(let progress) = $0 { progress.checks == ["file:\(flag)"] } else { false }
        }
        #expect(progress != nil)
        #expect(creat(flag, 0o600) >= 0)
        #expect(await events.next(where: Self.isReady) != nil)
        readiness.serviceExited("exit 3", succeeded: false)
        #expect(await events.rest() == [.failed(reason: "exit 3 after ready", stop: false, timedOut: false)])
    }
}

@Suite struct CommandProbeDeadlineTests {
    @Test func aCommandStillRunningAtTheDeadlineIsKilledWithItsGroup() {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let marker = directory.path + "/survived"
        let probe = CommandProbe(command: "(sleep 2; touch \(marker)) & sleep 30")
        let result = probe.probe(deadline: SystemClock.monotonic() + 50_000)
        #expect(result == .notYet("still running at the deadline"))
        // The background child was in the group: had it survived, it would create the marker in 2 s.
        #expect(CommandProbe(command: "sleep 3; test ! -e \(marker)").probe() == .passed)
    }

    /// The loop of `syncctl ready`: a cmd that kept failing is named with its exit, not with the cut-off attempt.
    @Test func aLoopCutOffAtTheDeadlineReportsTheEarlierResult() {
        let now = SystemClock.monotonic()
        var loop = ProbeLoop(
            probe: CommandProbe(command: "exit 3"), schedule: .command(start: now, timeout: 200_000))
        #expect(loop.run().result == .notYet("exit 3"))
    }

    @Test func aCommandThatEndsInTimeIsJudgedAsBefore() {
        let deadline = SystemClock.monotonic() + 60_000_000
        #expect(CommandProbe(command: "exit 0").probe(deadline: deadline) == .passed)
        #expect(CommandProbe(command: "exit 4").probe(deadline: deadline) == .notYet("exit 4"))
    }
}
