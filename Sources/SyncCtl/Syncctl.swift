import ArgumentParser
import SyncProtocol

/// The `syncctl` command line: the root command and its subcommands. The executable's `main.swift` only calls
/// ``main(arguments:)``.
public struct Syncctl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "syncctl",
        abstract: "Manage unit dependencies for coordinated startup",
        discussion: """
            Commands for orchestrating unit startup order in workspaces. Units are most commonly scripts. Use these \
            commands to declare dependencies between units, coordinate their startup sequence, and ensure units \
            start only after their dependencies are ready. This helps prevent race conditions and startup failures.

            A `start` waits on the agent and is woken the moment its dependencies complete; no polling.

            No agent to start by hand: want, start, complete, fail, run, ready, wait and note start one on the \
            socket when none answers (detached, with its journal and its log beside the socket: agent.journal, \
            agent.log) and say so once on stderr. --no-autostart or SYNC_AGENT_AUTOSTART=0 turns that off. status, \
            list, why, ping, graph, timeline, watch and doctor never start one. syncctl doctor checks the setup.

            \(ExitStatus.helpTable)

            Shell completions: syncctl --generate-completion-script bash|zsh|fish (see the README).
            """,
        version: ProtocolVersion.productVersion,
        subcommands: [
            Complete.self, Doctor.self, Fail.self, Graph.self, List.self, Note.self, Ping.self, Ready.self, Run.self,
            Start.self,
            Status.self, Timeline.self, Wait.self, Want.self, Watch.self, Why.self,
        ]
    )

    @OptionGroup var global: GlobalOptions

    public init() {}

    /// Runs the command line `arguments` (without the program name) and ends the process with its documented exit
    /// status. Named apart from ArgumentParser's `main()`, which a call from `main.swift` would otherwise reach.
    ///
    /// It runs on the main actor so that what it does before its first suspension runs on the main thread while
    /// the process has no other: `start`, `complete`, `want` and `ping` run there alone (``SingleThreadCommand``).
    @MainActor
    public static func main(arguments: [String]) async -> Never {
        do {
            var command = try parseAsRoot(fast: arguments)
            if let start = command as? Start {
                if let handover = try start.startOnThisThread() { try await start.run(after: handover) }
            } else if let single = command as? any SingleThreadCommand, try single.runOnThisThread() {
                // Done on this thread.
            } else if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let exit as CommandExit {
            if exit.status == 0 { exitProcess(.success) }
            Syncctl.exit(withError: ExitCode(exit.status))
        } catch {
            guard let report = failureReport(for: error) else { exit(withError: error) }
            for line in report.lines { Output.error(line) }
            exitProcess(report.status)
        }
        exitProcess(.success)
    }

    /// What syncctl prints on stderr for `error`, and its exit status: a ``CommandFailure`` as it says, a usage
    /// error (bad arguments, a failed `validate()`) with ArgumentParser's text and exit 2. `nil` when ArgumentParser
    /// ends the process itself (`--help`, `--version`, its other errors).
    static func failureReport(for error: any Error) -> (lines: [String], status: ExitStatus)? {
        if let failure = error as? CommandFailure { return (failure.lines, failure.status) }
        if exitCode(for: error) == .validationFailure { return ([fullMessage(for: error)], .usage) }
        return nil
    }
}

extension Syncctl {
    /// The command for `arguments`: one of ``FastPath``'s plain forms, or what ArgumentParser makes of them.
    static func parseAsRoot(fast arguments: [String]) throws -> any ParsableCommand {
        guard var command = FastPath.command(for: arguments) else { return try parseAsRoot(arguments) }
        try command.validate()
        return command
    }
}

/// Ends the process with `status`; a success whose output could not be written ends with 1 and says so.
func exitProcess(_ status: ExitStatus) -> Never {
    if status == .success, let lost = Output.lostOutput {
        Output.error("error: \(lost)")
        Syncctl.exit(withError: ExitCode(ExitStatus.refused.rawValue))
    }
    Syncctl.exit(withError: status == .success ? nil : ExitCode(status.rawValue))
}
