import ArgumentParser
import SyncClient
import SyncCore
import SyncProtocol

struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wait until all unit dependencies are satisfied",
        usage: "syncctl start <unit> [--timeout <duration>]",
        discussion: """
            Wait until all dependencies are satisfied, consider the unit to have started, then allow it to \
            proceed. The agent wakes the start the moment its last dependency completes and marks the unit started \
            in the same step. Ctrl-C cancels the wait on the agent.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(
        help: ArgumentHelp(
            "Maximum time to wait for dependencies (e.g., 30s, 5m, 1h30m). 0 waits without limit.",
            valueName: "duration"))
    var timeout = DurationArgument(nanoseconds: 300_000_000_000)
    @Argument(help: ArgumentHelp("The unit to start.", valueName: "unit")) var arguments: [String] = []

    func run() async throws {
        let unit = try Arity.exactlyOneUnit(arguments)
        let timeout = self.timeout.duration
        let info = try await global.withClient(prefix: "start unit failed") { client in
            try await Interruptible.run(what: "the wait of unit '\(unit)'") {
                try await client.start(unit, timeout: timeout) { waiting in
                    Output.line(
                        "Unit \(goQuoted(unit)) is waiting for dependencies to be satisfied: "
                            + "[\(waiting.unsatisfied.joined(separator: ", "))]")
                }
            }
        }
        if info.dependencies.isEmpty {
            Output.line("Unit \(goQuoted(unit)) started with no dependencies")
        } else if !info.waited {
            Output.line(
                "Unit \(goQuoted(unit)) started immediately, dependencies already satisfied: "
                    + "[\(info.dependencies.joined(separator: ", "))]")
        } else {
            Output.line(
                "Unit \(goQuoted(unit)) finished waiting for dependencies: "
                    + "[\(info.unsatisfiedAtStart.joined(separator: ", "))]")
        }
    }
}
