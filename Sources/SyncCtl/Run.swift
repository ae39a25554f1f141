import ArgumentParser
@preconcurrency import Glibc
import SyncClient
import SyncCore
import SyncProtocol
import SyncReadiness

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command as a unit: wait for its dependencies, run it, report how it ended",
        usage: "syncctl run <unit> [--after <dependency>]... [--timeout <duration>] [--ready <check>]... "
            + "[--ready-timeout <duration>] [--stop-grace <duration>] [--probe-max <duration>] -- <command> "
            + "[<argument>...]",
        discussion: """
            Declares the dependencies given with --after, waits until they completed (as `start`), runs the \
            command with this terminal's stdin, stdout and stderr, then marks the unit completed when the command \
            exits 0, or failed with the reason `exit N` or `signal NAME`. Exits with the command's own status. \
            SIGINT, SIGTERM and SIGHUP sent to syncctl are forwarded to the command. syncctl's own messages go to \
            stderr. The command gets SYNC_UNIT (the unit) and SYNC_AGENT_SOCKET_PATH in its environment.

            If the command never ran, the exit status says why: 122 a dependency failed, 123 the agent is \
            unreachable, 124 timeout, 126 not executable, 127 not found, 1 refused (cycle, invalid name).

            \(Run.serviceDiscussion)
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(
        name: .customLong("after"),
        help: ArgumentHelp("A unit that must complete first; repeat for several.", valueName: "dependency"))
    var dependencies: [String] = []
    @Option(
        help: ArgumentHelp(
            "Maximum time to wait for dependencies (e.g., 30s, 5m). 0 waits without limit.", valueName: "duration"),
        transform: DurationArgument.parsing)
    var timeout = DurationArgument(nanoseconds: 300_000_000_000)
    @Option(
        name: .customLong("ready"),
        help: ArgumentHelp(
            "Run the command as a service: the unit completes when this check passes (repeatable: all must pass), "
                + "e.g. notify, tcp:5432.", valueName: "check"))
    var readyChecks: [String] = []
    @Option(
        help: ArgumentHelp(
            "With --ready: how long the checks may take before the unit fails and the command is stopped "
                + "(default 2m); 0 waits without limit.", valueName: "duration"),
        transform: DurationArgument.parsing)
    var readyTimeout: DurationArgument?
    @Option(
        help: ArgumentHelp(
            "With --ready: how long a command that run stops gets between SIGTERM and SIGKILL (default 10s).",
            valueName: "duration"),
        transform: DurationArgument.parsing)
    var stopGrace: DurationArgument?
    @Option(
        help: ArgumentHelp(
            "With --ready: the longest pause between two probes of a tcp, http or cmd check (default 25ms; cmd "
                + "250ms); they start at once and back off from 5ms up to it.", valueName: "duration"),
        transform: DurationArgument.parsing)
    var probeMax: DurationArgument?
    @Argument(help: ArgumentHelp("The unit this command is.", valueName: "unit")) var unit: String
    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command and its arguments.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        if command.isEmpty {
            throw ValidationError("a command is required after --, e.g. syncctl run git -- git clone URL")
        }
        if readyChecks.isEmpty && (readyTimeout != nil || stopGrace != nil || probeMax != nil) {
            throw ValidationError(
                "--ready-timeout, --stop-grace and --probe-max apply to a service; add --ready CHECK, e.g. "
                    + "--ready tcp:5432")
        }
        try ProbeMax.validate(probeMax)
        _ = try Self.parseChecks(readyChecks)
    }

    func run() async throws {
        let unit = self.unit
        let dependencies = self.dependencies
        let timeout = self.timeout.duration
        if !dependencies.isEmpty {
            try await global.withClient(prefix: "run failed", startingAgent: true) {
                try await $0.want(unit, dependsOn: dependencies)
            }
        }
        let (_, waitedFor, startedOn) = try await Start.start(
            unit, timeout: timeout, global: global, redeclare: dependencies, output: Output.error)
        if let waitedFor {
            Output.error(
                "Unit \(goQuoted(unit)) finished waiting for dependencies: [\(waitedFor.joined(separator: ", "))]")
        }
        if !readyChecks.isEmpty {
            try await runService(unit, checks: try Self.parseChecks(readyChecks))
        }
        let outcome = await (try spawn(unit, environment: [:])).wait()
        try await report(unit, reason: outcome.reason, startedOn: startedOn)
        throw CommandExit(status: outcome.exitStatus)
    }

    /// Tells the agent how the command ended (completed when `reason` is nil), across an agent restart, and prints
    /// the failure.
    func report(_ unit: String, reason: String?, startedOn: String?) async throws {
        // The command may have run across an agent restart: report its end even if the agent is coming back. An
        // agent that came back without its state does not know the unit: a failure is reported all the same
        // (`fail` registers it), a completion cannot be.
        try await global.withReconnection(
            prefix: "run failed", timeout: .seconds(60), timeoutMessage: "the agent did not come back within 60s",
            stateLostMessage: "\(Reconnector.stateLostMessage) while the command ran, so \(goQuoted(unit)) is "
                + "unknown to it and its completion was not recorded. Record it with syncctl start \(unit) && "
                + "syncctl complete \(unit)",
            retryFirstConnection: true
        ) { client, _ in
            if reason == nil, let startedOn, let now = client.connection.hello?.instance, now != startedOn {
                throw WireError(.agentRestarted, Reconnector.stateLostMessage)
            }
            do throws(WireError) {
                if let reason {
                    _ = try await client.fail(unit, reason: reason)
                } else {
                    try await client.complete(unit)
                }
            } catch {
                // A repeat after a lost reply: the agent recorded the first one (its journal was synced before it
                // answered) and then went away. The unit has the status this run reports, which is what counts.
                guard error.code == .sameStatus else { throw error }
            }
        }
        if let reason { Output.error("Unit \(goQuoted(unit)) failed: \(reason)") }
    }

    /// Starts the command with signals forwarded to it; one that cannot be started is reported to the agent as a
    /// failure. `environment` and `standardOutput`/`standardError` are for a service (NOTIFY_SOCKET, log pipes).
    func spawn(
        _ unit: String, environment extra: [String: String], standardOutput: Int32? = nil,
        standardError: Int32? = nil
    ) async throws -> ChildProcess {
        // Absolute: the command may change directory, and a relative SYNC_AGENT_SOCKET_PATH is refused.
        var environment = ["SYNC_UNIT": unit, "SYNC_AGENT_SOCKET_PATH": global.socket.absolutePath]
        environment.merge(extra) { $1 }
        let child: ChildProcess
        ChildProcess.prepareSignalForwarding()
        do {
            child = try ChildProcess.spawn(
                command, environment: environment, standardOutput: standardOutput, standardError: standardError)
        } catch {
            let notFound = error.code == ENOENT
            let problem = String(cString: strerror(error.code)).lowercased()
            let reason = notFound ? "command not found: \(command[0])" : "cannot execute \(command[0]): \(problem)"
            _ = try? await global.withClient(prefix: nil) { try await $0.fail(unit, reason: reason) }
            throw CommandFailure(notFound ? .notFound : .cannotExecute, "run failed: \(reason)")
        }
        child.forwardSignals()
        return child
    }
}

/// Ends `syncctl` with a status that is not one of ours (a command's own).
struct CommandExit: Error {
    var status: Int32
}
