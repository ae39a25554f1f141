import ArgumentParser
import SyncClient
import SyncCore
import SyncProtocol
import SyncReadiness

struct Ready: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ready",
        abstract: "Complete a unit when a service started elsewhere is ready",
        usage: "syncctl ready <unit> --when <check> [--when <check>]… [--timeout <duration>] [--probe-max <duration>]",
        discussion: """
            For a service this script did not start (a container, a systemd unit, a process someone else \
            launched): registers the unit if needed, marks it started (waiting for its dependencies, if it has \
            any), then completes it once every check passes, in the order given. If the checks have not passed \
            when the timeout expires, the unit is marked failed with the last result, which skips what waits \
            for it, and syncctl exits 124. A completion the agent cannot store yet (its shared store unreachable, \
            its journal not writable) is asked for again until the timeout, then syncctl exits with that refusal.

            Checks: tcp:[HOST:]PORT (connects; host 127.0.0.1 by default), http://HOST[:PORT]/PATH (a 2xx or 3xx \
            answer), cmd:SHELL-COMMAND (exits 0), file:PATH (exists; watched with inotify, or looked at from every \
            5 ms to every 250 ms when the user has no inotify instance left). Probes start at once and back off \
            from 5 ms to every 25 ms (cmd: to every 250 ms); --probe-max sets that longest pause.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(
        name: .customLong("when"),
        help: ArgumentHelp("A readiness check (repeatable), e.g. tcp:5432.", valueName: "check"))
    var checks: [String] = []
    @Option(
        help: ArgumentHelp(
            "How long to wait for the checks, e.g. 30s, 2m; 0 waits without limit.", valueName: "duration"))
    var timeout: DurationArgument = DurationArgument(nanoseconds: 120_000_000_000)
    @Option(
        help: ArgumentHelp(
            "The longest pause between two probes (default 25ms; cmd 250ms); they start at once and back off "
                + "from 5ms up to it.", valueName: "duration"),
        transform: DurationArgument.parsing)
    var probeMax: DurationArgument?
    @Argument(help: ArgumentHelp("The unit the service stands for.", valueName: "unit")) var arguments: [String] = []

    func validate() throws {
        try ProbeMax.validate(probeMax)
    }

    func run() async throws {
        let unit = try Arity.exactlyOneUnit(arguments)
        let parsed = try Self.parse(checks)
        let limit = timeout.duration
        let deadline = limit.map { ContinuousClock.now + $0 }
        // One connection for the whole wait (the start, the progress reports, the outcome): when the checks pass,
        // the completion is one request on a connection that is already open.
        let client = try await global.connect(startingAgent: true)
        let line = AgentLine(global: global, client: client)
        defer { line.close() }
        do throws(WireError) {
            _ = try await client.start(unit, timeout: limit)
        } catch {
            // Started already (by whoever launched the service): only the checks are left to do.
            guard error.code == .sameStatus else {
                throw CommandFailure(error, prefix: "ready unit failed", socket: global.socket)
            }
        }
        let listed = parsed.map(\.description).joined(separator: ", ")
        Output.line("Unit \(goQuoted(unit)) started; waiting until ready: \(listed)")
        let microseconds = timeout.nanoseconds > 0 ? timeout.nanoseconds / 1000 : nil
        let (reports, sink) = AsyncStream.makeStream(of: ReadinessProgress.self)
        let reporter = Task {
            for await progress in reports {
                await reportProgress(progress, unit: unit, over: line, global: global)
            }
        }
        let outcome = await Task.detached {
            let outcome = ReadinessWaiter.wait(for: parsed, timeout: microseconds, probeCap: probeMax?.microseconds) {
                sink.yield($0)
            }
            // Told by the thread that saw the last check pass, before anything is handed to another task.
            if case .ready = outcome { line.sendNow(.complete(unit: unit)) }
            return outcome
        }.value
        sink.finish()
        await reporter.value
        switch outcome {
        case .ready:
            try await complete(unit, over: line, until: deadline)
            Output.line("Unit \(goQuoted(unit)) ready (\(listed))")
        case .notReady(let check, let reason):
            // Without a limit only a check that cannot be waited on at all ends here (a file that cannot be watched).
            let when = timeout.nanoseconds > 0 ? "not ready after \(timeout)" : "cannot tell when ready"
            let text = "\(when): \(Self.describe(check)): \(reason)"
            try await Self.tell(over: line, global: global) { _ = try await $0.fail(unit, reason: text) }
            throw CommandFailure(.timeout, "unit \(goQuoted(unit)) \(text); it is marked failed")
        }
    }

    /// Completes `unit`, whose checks passed. A refusal that lasts only until the agent can store changes
    /// (``WireError/refusedUntilStored``) is asked again, every 100 ms backing off to every second, until
    /// `deadline` (said once on stderr); then it fails with that refusal.
    private func complete(_ unit: String, over line: AgentLine, until deadline: ContinuousClock.Instant?) async throws {
        var pause = Duration.milliseconds(100)
        var told = false
        while true {
            do {
                try await Self.tell(over: line, global: global) { client in
                    do {
                        if let sent = line.sent(on: client) {
                            _ = try await sent.reply()
                        } else {
                            try await client.complete(unit)
                        }
                    } catch let error as WireError where error.refusedUntilStored {
                        throw RefusedForAWhile(error: error)
                    }
                }
                return
            } catch let refused as RefusedForAWhile {
                let failure = CommandFailure(refused.error, prefix: "ready unit failed", socket: global.socket)
                guard deadline.map({ ContinuousClock.now + pause < $0 }) ?? true else { throw failure }
                if !told {
                    Output.error("syncctl: cannot complete \(goQuoted(unit)) yet: \(failure.message); asking again")
                    told = true
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(1))
            }
        }
    }

    /// Sends the outcome over the kept connection, or over a new one when that one was lost meanwhile (the agent
    /// restarted while the service got ready).
    static func tell(
        over line: AgentLine, global: GlobalOptions, _ body: @escaping @Sendable (SyncClient) async throws -> Void
    ) async throws {
        do {
            if try await line.send(body) { return }
        } catch let wire as WireError {
            throw CommandFailure(wire, prefix: "ready unit failed", socket: global.socket)
        }
        try await global.withClient(prefix: "ready unit failed", body)
    }

    /// The checks, or a usage error naming the one that does not parse or cannot be checked from outside.
    static func parse(_ texts: [String]) throws -> [ReadinessCheck] {
        guard !texts.isEmpty else {
            throw ValidationError("ready needs at least one --when CHECK, e.g. --when tcp:5432")
        }
        let checks = try Run.parseChecks(texts)
        if let check = ReadinessWaiter.unsupported(checks) {
            throw ValidationError(
                "\(check) needs the service's own process; use syncctl run <unit> --ready \(check) -- <command>")
        }
        return checks
    }

    /// `tcp 127.0.0.1:5432`, `http http://…`, as a failure reason names a check.
    static func describe(_ check: ReadinessCheck) -> String {
        check.failureSubject
    }
}
