import ArgumentParser
@preconcurrency import Glibc
import Synchronization
import SyncClient
import SyncCore
import SyncProtocol
import SyncOS
import SyncReadiness

/// `syncctl run U --ready CHECK… -- CMD`: the command as a service, whose unit completes when it is ready while
/// run keeps supervising it. The watching is ``ServiceReadiness``'s; this file spawns, reports and stops.
extension Run {
    /// What `run --help` says about services.
    static let serviceDiscussion = """
        With --ready the command is a service that need not exit: the unit becomes completed the moment every \
        check passes (all are watched at once), which releases what waits for it, and run stays in the \
        foreground until the command ends, then exits with its status. The unit fails, which skips the units \
        waiting for it, when the command exits before it is ready ("exited before ready: exit 1"; run exits 1 \
        even for an exit 0), when the checks have not passed within --ready-timeout (default 2m: "not ready \
        after 2m: tcp 127.0.0.1:5432: connection refused", the last result of the first check not passed; run \
        stops the command and exits 124), when the command reports an error over notify (run stops it), or when \
        it exits non-zero after it was ready ("exit 3 after ready"). A completion the agent cannot store yet (its \
        shared store unreachable, its journal not writable) is asked for again while the command runs; run exits \
        1 if the command exits 0 before the agent took it. To stop the command run sends SIGTERM to its \
        process, then SIGKILL after --stop-grace (default 10s); the command stays in run's process group, so \
        Ctrl-C reaches it as before (a shell script should exec the service, or forward the signal).

        Checks, one example each:
        notify: the sd_notify protocol; run passes NOTIFY_SOCKET. READY=1 passes the check, STATUS=TEXT becomes \
        the unit's note (also after ready), ERRNO=N or EXIT_STATUS=N fail the unit, EXTEND_TIMEOUT_USEC=N moves \
        the deadline to at least N microseconds from now. The socket is in a directory only run's user can \
        enter: a command that changes user cannot reach it, so run syncctl as that user. Example: --ready \
        notify -- sh -c 'prepare && systemd-notify --ready && exec serve'
        tcp:[HOST:]PORT: a TCP connection succeeds (HOST 127.0.0.1 by default). Example: --ready tcp:5432
        http://HOST[:PORT]/PATH: a GET answers 2xx or 3xx. Example: --ready http://127.0.0.1:8000/health
        cmd:SHELL-COMMAND: the command exits 0; one still running at the deadline is killed. Example: --ready \
        'cmd:pg_isready -q'
        file:PATH: the file exists (watched with inotify; looked at on a backoff to every 250 ms if the user has no \
        inotify instance left). Example: --ready file:/tmp/app.ready
        log:REGEX: a line of the command's stdout or stderr matches. run copies both to its own as they come, \
        byte for byte, so with a log check the command's stdout and stderr are pipes, not the terminal. \
        Example: --ready 'log:listening on port [0-9]+'
        Probes (tcp, http, cmd) start at once and back off from 5 ms to every 25 ms (cmd: to every 250 ms); \
        --probe-max sets that longest pause (e.g. 1s for a service that takes minutes). \
        Host names are resolved by the C library without a time limit; numeric addresses never wait for it.

        Messages on stderr: Unit "db" started; waiting until ready: notify, then Unit "db" ready after 1.4s \
        (notify), or Unit "db" failed: REASON and, when run stops the command, Unit "db": stopping the command \
        (SIGTERM, SIGKILL after 10s).
        """

    /// The checks of `--ready` (or `ready --when`), or a usage error naming the one that does not parse.
    static func parseChecks(_ texts: [String]) throws -> [ReadinessCheck] {
        var checks: [ReadinessCheck] = []
        for text in texts {
            do {
                checks.append(try ReadinessCheck(parsing: text))
            } catch {
                throw ValidationError(error.message)
            }
        }
        return checks
    }

    /// Runs the command as a service until it ends, then exits with its status (124 when it was stopped because
    /// it was not ready in time).
    func runService(_ unit: String, checks: [ReadinessCheck]) async throws -> Never {
        let notify = try await makeNotifySocket(unit, needed: checks.contains(.notify))
        let logged = checks.contains { if case .log = $0 { true } else { false } }
        let pipes = logged ? [Self.makePipe(), Self.makePipe()] : []
        // One connection for the service's whole life: being ready is then one request on an open connection,
        // written by the thread that saw the last check pass.
        let line = AgentLine(global: global)
        defer { line.close() }
        // Made before the spawn: once the command runs, nothing may fail before it is watched.
        let readiness = try ServiceReadiness(
            checks: checks, timeout: (readyTimeout ?? Self.defaultReadyTimeout).microseconds,
            probeCap: probeMax?.microseconds,
            notify: notify?.socket,
            outputs: pipes.enumerated().map { .init(source: $0.element.reader, destination: Int32($0.offset + 1)) },
            whenReady: { line.sendNow(.complete(unit: unit)) })
        await line.open()
        let child: ChildProcess
        do {
            child = try await spawn(
                unit, environment: notify.map { ["NOTIFY_SOCKET": $0.socket.path] } ?? [:],
                standardOutput: pipes.first?.writer, standardError: pipes.last?.writer)
        } catch {
            notify?.remove()
            throw error
        }
        for pipe in pipes { close(pipe.writer) }
        let listed = checks.map(\.description).joined(separator: ", ")
        Output.error("Unit \(goQuoted(unit)) started; waiting until ready: \(listed)")
        readiness.start()
        let running = Mutex(true)
        let ended = Task {
            let outcome = await child.wait()
            running.withLock { $0 = false }
            readiness.serviceExited(outcome.reason ?? "exit 0", succeeded: outcome == .exited(0))
            return outcome
        }
        var stopping: Task<Void, Never>?
        var timedOut = false
        var failedBeforeReady = false
        var ready = false
        var completed = false
        for await event in readiness.events {
            switch event {
            case .progress(let progress):
                await reportProgress(progress, unit: unit, over: line, global: global)
            case .note(let text):
                await quietly(over: line, "set the note of \(goQuoted(unit))") { try await $0.note(unit, text) }
            case .ready(let after):
                ready = true
                // Refused for a while (the store or journal cannot be written): asked again while the command runs,
                // since its dependents wait for this completion and nothing else would make it.
                completed = await quietly(
                    over: line, "complete \(goQuoted(unit))", retryingWhile: { running.withLock { $0 } }
                ) { client in
                    // Written already when the kept connection was open (see whenReady above).
                    if let sent = line.sent(on: client) {
                        _ = try await sent.reply()
                    } else {
                        try await client.complete(unit)
                    }
                }
                if completed {
                    Output.error(
                        "Unit \(goQuoted(unit)) ready after \(DurationText.short(microseconds: after)) (\(listed))")
                }
            case .failed(let reason, let stop, let expired):
                failedBeforeReady = !ready
                timedOut = expired
                await quietly(over: line, "fail \(goQuoted(unit))") { try await $0.fail(unit, reason: reason) }
                Output.error("Unit \(goQuoted(unit)) failed: \(reason)")
                if stop { stopping = self.stop(child, unit: unit) }
            }
        }
        let outcome = await ended.value
        stopping?.cancel()
        notify?.remove()
        if timedOut { throw CommandExit(status: ExitStatus.timeout.rawValue) }
        // A command that exited 0 before it was ready still failed its unit, and one whose completion the agent
        // never took left it unfinished: run must not report success.
        let unfinished = failedBeforeReady || (ready && !completed)
        throw CommandExit(status: unfinished && outcome == .exited(0) ? 1 : outcome.exitStatus)
    }

    /// The default of --ready-timeout: 2 minutes.
    static let defaultReadyTimeout = DurationArgument(nanoseconds: 120_000_000_000)
    /// The default of --stop-grace: 10 seconds.
    static let defaultStopGrace = DurationArgument(nanoseconds: 10_000_000_000)

    /// Stops the service: SIGTERM now, SIGKILL after the grace period unless it has ended by then.
    private func stop(_ child: ChildProcess, unit: String) -> Task<Void, Never> {
        let grace = stopGrace ?? Self.defaultStopGrace
        Output.error("Unit \(goQuoted(unit)): stopping the command (SIGTERM, SIGKILL after \(grace))")
        child.signalUnlessEnded(SIGTERM)
        return Task {
            guard (try? await Task.sleep(for: .nanoseconds(grace.nanoseconds))) != nil else { return }
            child.signalUnlessEnded(SIGKILL)
        }
    }

    /// Tells the agent something while the service runs, over the kept connection, or across an agent restart when
    /// that was lost; a failure is printed, and the service keeps running. A refusal that lasts only as long as the
    /// store or journal cannot be written (`store_unavailable`, `journal_unavailable`) is asked again, every 100 ms
    /// backing off to every second, for as long as `retryingWhile` says so (said once on stderr).
    /// - Returns: whether the agent took it.
    @discardableResult
    private func quietly(
        over line: AgentLine, _ what: String, retryingWhile: (@Sendable () -> Bool)? = nil,
        _ body: @escaping @Sendable (SyncClient) async throws -> Void
    ) async -> Bool {
        var pause = Duration.milliseconds(100)
        var told = false
        while true {
            do {
                try await tell(over: line, body)
                return true
            } catch let refused as RefusedForAWhile where retryingWhile?() == true {
                if !told {
                    let failure = CommandFailure(refused.error, prefix: "run failed", socket: global.socket)
                    Output.error(
                        "syncctl: cannot \(what) yet: \(failure.message); asking again while the command runs")
                    told = true
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(1))
            } catch let refused as RefusedForAWhile {
                let failure = CommandFailure(refused.error, prefix: "run failed", socket: global.socket)
                Output.error("syncctl: cannot \(what): \(failure.message)")
                return false
            } catch let error as WireError {
                let failure = CommandFailure(error, prefix: "run failed", socket: global.socket)
                Output.error("syncctl: cannot \(what): \(failure.message)")
                return false
            } catch let failure as CommandFailure {
                Output.error("syncctl: cannot \(what): \(failure.message)")
                return false
            } catch {
                Output.error("syncctl: cannot \(what): \(error)")
                return false
            }
        }
    }

    /// One attempt of ``quietly(over:_:retryingWhile:_:)``: over the kept connection, else across an agent restart.
    private func tell(over line: AgentLine, _ body: @escaping @Sendable (SyncClient) async throws -> Void) async throws
    {
        let repeatable: @Sendable (SyncClient) async throws -> Void = { client in
            do {
                try await body(client)
            } catch let error as WireError where error.code == .sameStatus {
                // A repeat after a lost reply: the agent recorded the first one before it went away.
            } catch let error as WireError where error.refusedUntilStored {
                // Carried out unchanged whichever connection it came over (a reconnection wraps agent errors).
                throw RefusedForAWhile(error: error)
            }
        }
        if try await line.send(repeatable) { return }
        try await global.withReconnection(
            prefix: "run failed", timeout: .seconds(60), timeoutMessage: "the agent did not come back within 60s",
            retryFirstConnection: true
        ) { client, _ in try await repeatable(client) }
    }

    /// A private directory (0700) holding the notify socket, when a notify check needs one; a failure fails the
    /// unit, as a command that cannot be started does.
    private func makeNotifySocket(_ unit: String, needed: Bool) async throws -> NotifyEndpoint? {
        guard needed else { return nil }
        do {
            return try NotifyEndpoint()
        } catch {
            let reason = "cannot create the notify socket: \(error.message)"
            _ = try? await global.withClient(prefix: nil) { try await $0.fail(unit, reason: reason) }
            throw CommandFailure(.cannotExecute, "run failed: \(reason)")
        }
    }

    /// A pipe whose read end stays with run (close-on-exec) and whose write end becomes the command's stdout or
    /// stderr.
    private static func makePipe() -> (reader: Int32, writer: Int32) {
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0, "cannot make a pipe for the command's output: \(errorText())")
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }
}

extension DurationArgument {
    /// Microseconds; nil for 0 (no limit).
    var microseconds: Int64? {
        nanoseconds > 0 ? nanoseconds / 1000 : nil
    }
}

/// `--probe-max` of `run` and `ready`: the cap of the probes' back-off.
enum ProbeMax {
    /// Refuses a cap of 0 (probing without pause would spin) or over an hour (a typo, or a service never seen).
    static func validate(_ value: DurationArgument?) throws {
        guard let value else { return }
        guard value.nanoseconds >= 1_000_000, value.nanoseconds <= 3_600_000_000_000 else {
            throw ValidationError("--probe-max must be between 1ms and 1h, e.g. --probe-max 100ms; got \(value)")
        }
    }
}

/// The notify socket of a service in a private directory made for it (mkdtemp: 0700), both removed by
/// ``remove()``.
struct NotifyEndpoint {
    let directory: String
    let socket: NotifySocket

    init() throws(NotifySocket.Failure) {
        let base = Environment.value("TMPDIR").flatMap { $0.hasPrefix("/") && $0.utf8.count < 60 ? $0 : nil } ?? "/tmp"
        var template = Array("\(base)/syncctl-notify-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw NotifySocket.Failure("cannot make a private directory in \(base): \(errorText())")
        }
        directory = String(cString: made)
        do {
            socket = try NotifySocket(directory: directory)
        } catch {
            rmdir(directory)
            throw error
        }
    }

    func remove() {
        socket.close()
        rmdir(directory)
    }
}
