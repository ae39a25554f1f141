import ArgumentParser

struct Complete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete",
        abstract: "Mark a unit as complete",
        usage: "syncctl complete <unit>",
        discussion: """
            Mark a unit as complete. Indicating to other units that it has completed its work. This allows units \
            that depend on it to proceed with their startup.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The unit to mark completed.", valueName: "unit")) var arguments: [String] = []

    private static let failurePrefix = "complete unit failed"

    func run() async throws {
        let unit = try Arity.exactlyOneUnit(arguments)
        try await global.withClient(prefix: Self.failurePrefix, startingAgent: true) { try await $0.complete(unit) }
        Output.line("Success")
    }
}

extension Complete: SingleThreadCommand {
    func runOnThisThread() throws -> Bool {
        let unit = try Arity.exactlyOneUnit(arguments)
        guard try global.replyOnThisThread(prefix: Self.failurePrefix, to: .complete(unit: unit)) != nil else {
            return false
        }
        Output.line("Success")
        return true
    }
}
