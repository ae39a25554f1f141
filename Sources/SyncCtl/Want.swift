import ArgumentParser
import SyncCore
import SyncProtocol

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

    private static let failurePrefix = "declare dependency failed"

    func run() async throws {
        let (unit, dependencies) = try operands()
        try await global.withClient(prefix: Self.failurePrefix, startingAgent: true) {
            try await $0.want(unit, dependsOn: dependencies)
        }
        Self.report(unit, dependencies)
    }

    private func operands() throws -> (String, [String]) {
        guard arguments.count >= 2 else {
            throw CommandFailure(.usage, "at least two arguments are required: unit and one or more depends-on")
        }
        return (arguments[0], Array(arguments.dropFirst()))
    }

    private static func report(_ unit: String, _ dependencies: [String]) {
        Output.line("Unit \(goQuoted(unit)) declared dependencies: [\(dependencies.joined(separator: ", "))]")
    }
}

extension Want: SingleThreadCommand {
    func runOnThisThread() throws -> Bool {
        let (unit, dependencies) = try operands()
        let request = Request.Body.want(unit: unit, dependsOn: dependencies)
        guard try global.replyOnThisThread(prefix: Self.failurePrefix, to: request) != nil else { return false }
        Self.report(unit, dependencies)
        return true
    }
}
