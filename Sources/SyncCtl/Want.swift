import ArgumentParser
import SyncCore

struct Want: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "want",
        abstract: "Declare that a unit depends on other units completing before it can start",
        usage: "syncctl want <unit> <depends-on> [<depends-on> ...]",
        discussion: """
            Declare that a unit depends on one or more other units completing before it can start. The unit \
            specified first will not start until all subsequent units have signaled that they have completed.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The unit, then the units it depends on.", valueName: "unit> <depends-on"))
    var arguments: [String] = []

    func run() async throws {
        guard arguments.count >= 2 else {
            throw CommandFailure(.usage, "at least two arguments are required: unit and one or more depends-on")
        }
        let unit = arguments[0]
        let dependencies = Array(arguments.dropFirst())
        try await global.withClient(prefix: "declare dependency failed", startingAgent: true) {
            try await $0.want(unit, dependsOn: dependencies)
        }
        Output.line("Unit \(goQuoted(unit)) declared dependencies: [\(dependencies.joined(separator: ", "))]")
    }
}
