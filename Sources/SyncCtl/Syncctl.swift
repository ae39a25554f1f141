import ArgumentParser
import SyncProtocol

@main
struct Syncctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syncctl",
        abstract: "Manage unit dependencies for coordinated startup",
        discussion: """
            Commands for orchestrating unit startup order in workspaces. Units are most commonly scripts. Use these \
            commands to declare dependencies between units, coordinate their startup sequence, and ensure units \
            start only after their dependencies are ready. This helps prevent race conditions and startup failures.

            A `start` waits on the agent and is woken the moment its dependencies complete; no polling.

            \(ExitStatus.helpTable)

            Shell completions: syncctl --generate-completion-script bash|zsh|fish (see the README).
            """,
        version: ProtocolVersion.productVersion,
        subcommands: [
            Complete.self, Fail.self, Graph.self, List.self, Ping.self, Run.self, Start.self, Status.self,
            Timeline.self, Wait.self, Want.self, Watch.self, Why.self,
        ]
    )

    @OptionGroup var global: GlobalOptions

    /// Runs the command line; maps every failure to its documented exit status.
    static func main() async {
        do {
            var command = try parseAsRoot(fast: Array(CommandLine.arguments.dropFirst()))
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let exit as CommandExit {
            if exit.status == 0 { exitProcess(.success) }
            Syncctl.exit(withError: ExitCode(exit.status))
        } catch let failure as CommandFailure {
            Output.error("error: \(failure.message)")
            if let hint = failure.hint { Output.error("hint: \(hint)") }
            exitProcess(failure.status)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Output.error(fullMessage(for: error))
                exitProcess(.usage)
            }
            exit(withError: error)
        }
        exitProcess(.success)
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
