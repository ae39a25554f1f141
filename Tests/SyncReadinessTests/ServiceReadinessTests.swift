@preconcurrency import Glibc
import SyncOS
import Testing

@testable import SyncReadiness

/// ``ServiceReadiness`` against real descriptors: files, pipes, a notify socket, a refused port. The service itself
/// is played by the test (it writes, sends, and says when it exited). No timing goals here.
@Suite(.timeLimit(.minutes(1))) struct ServiceReadinessTests {
    /// Every event until the stream ends (the service exited and its output closed).
    private func events(_ readiness: ServiceReadiness) async -> [ServiceReadiness.Event] {
        var all: [ServiceReadiness.Event] = []
        for await event in readiness.events { all.append(event) }
        return all
    }

    /// The first event that satisfies `wanted`.
    private func first(
        _ readiness: ServiceReadiness, where wanted: (ServiceReadiness.Event) -> Bool
    ) async -> ServiceReadiness.Event? {
        for await event in readiness.events where wanted(event) { return event }
        return nil
    }

    private static func isReady(_ event: ServiceReadiness.Event) -> Bool {
        if case .ready = event { return true }
        return false
    }

    @Test func aFileCreatedLaterMakesTheServiceReady() async throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let path = directory.path + "/later/ready"
        let readiness = try ServiceReadiness(checks: [.file(path)], timeout: nil, notify: nil, outputs: [])
        readiness.start()
        #expect(
            await first(readiness) { if case .progress = $0 { true } else { false } }
                == .progress(ReadinessProgress(checks: ["file:\(path)"], attempts: 0, result: nil)))
        #expect(mkdir(directory.path + "/later", 0o700) == 0)
        #expect(creat(path, 0o600) >= 0)
        #expect(await first(readiness, where: Self.isReady) != nil)
        readiness.serviceExited("exit 0", succeeded: true)
        #expect(await events(readiness) == [])
    }

    @Test func aLogLineSplitAcrossWritesMatchesAndTheOutputPassesUnchanged() async throws {
        var service: [Int32] = [0, 0]
        var terminal: [Int32] = [0, 0]
        #expect(pipe(&service) == 0 && pipe(&terminal) == 0)
        let readiness = try ServiceReadiness(
            checks: [.log(pattern: "listening on [0-9]+")], timeout: nil, notify: nil,
            outputs: [.init(source: service[0], destination: terminal[1])])
        readiness.start()
        try Descriptor.writeAll(service[1], "starting\r\nlisten")
        try Descriptor.writeAll(service[1], "ing on 80")
        try Descriptor.writeAll(service[1], "80\n")
        #expect(await first(readiness, where: Self.isReady) != nil)
        try Descriptor.writeAll(service[1], "after ready, no newline")
        close(service[1])
        readiness.serviceExited("exit 0", succeeded: true)
        _ = await events(readiness)
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
        readiness.start()
        try NotifySocket.send("STATUS=warming up", to: socket.path)
        #expect(await first(readiness) { if case .note = $0 { true } else { false } } == .note("warming up"))
        try NotifySocket.send("READY=1\nSTATUS=accepting", to: socket.path)
        let ready = await first(readiness) { if case .progress = $0 { false } else { true } }
        guard case .ready = ready else {
            Issue.record("expected ready, got \(String(describing: ready))")
            return
        }
        #expect(await first(readiness) { if case .note = $0 { true } else { false } } == .note("accepting"))
        readiness.serviceExited("exit 0", succeeded: true)
        #expect(await events(readiness) == [])
    }

    @Test func errnoFailsAndAsksToStopTheService() async throws {
        let directory = NotifyDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(directory: directory.path)
        defer { socket.close() }
        let readiness = try ServiceReadiness(checks: [.notify], timeout: nil, notify: socket, outputs: [])
        readiness.start()
        try NotifySocket.send("ERRNO=13", to: socket.path)
        #expect(
            await first(readiness) { if case .failed = $0 { true } else { false } }
                == .failed(reason: "service reported ERRNO=13 (permission denied)", stop: true, timedOut: false))
        readiness.serviceExited("signal TERM", succeeded: false)
        #expect(await events(readiness) == [])
    }

    @Test func aRefusedPortTimesOutWithItsLastResultAfterReportingProgress() async throws {
        let listener = TestListener()
        let readiness = try ServiceReadiness(
            checks: [.tcp(host: "127.0.0.1", port: listener.port)], timeout: 1_000_000, notify: nil, outputs: [])
        readiness.start()
        var seen: [ServiceReadiness.Event] = []
        for await event in readiness.events {
            seen.append(event)
            if case .failed = event { break }
        }
        guard case .progress(let progress) = seen.first else {
            Issue.record("no progress before the failure: \(seen)")
            return
        }
        #expect(progress.checks == ["tcp:127.0.0.1:\(listener.port)"] && progress.result == "connection refused")
        #expect(progress.attempts >= 1)
        #expect(
            seen.last
                == .failed(
                    reason: "not ready after 1s: tcp 127.0.0.1:\(listener.port): connection refused", stop: true,
                    timedOut: true))
        readiness.serviceExited("signal TERM", succeeded: false)
        #expect(await events(readiness) == [])
    }

    @Test func exitingBeforeReadyFailsWithoutAskingToStop() async throws {
        let listener = TestListener()
        let readiness = try ServiceReadiness(
            checks: [.tcp(host: "127.0.0.1", port: listener.port)], timeout: nil, notify: nil, outputs: [])
        readiness.start()
        readiness.serviceExited("exit 1", succeeded: false)
        let remaining = await events(readiness).filter { if case .progress = $0 { false } else { true } }
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
        readiness.start()
        listener.listen()
        let progress = await first(readiness) {
            if case .progress(let progress) = $0 { progress.checks == ["file:\(flag)"] } else { false }
        }
        #expect(progress != nil)
        #expect(creat(flag, 0o600) >= 0)
        #expect(await first(readiness, where: Self.isReady) != nil)
        readiness.serviceExited("exit 3", succeeded: false)
        #expect(await events(readiness) == [.failed(reason: "exit 3 after ready", stop: false, timedOut: false)])
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
