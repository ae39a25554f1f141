import ArgumentParser
import SyncCore

struct Fail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fail",
        abstract: "Mark a unit as failed",
        usage: "syncctl fail <unit> [--reason <text>]",
        discussion: """
            Mark a unit as failed, with the reason. Every unit waiting for it, directly or through a chain, is \
            released at once with an error that names this unit, its reason and the chain, and becomes skipped. \
            The unit is registered if it was not, so a script that fails before it started still reports it. A \
            failed unit may be started again (a retry).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Why it failed, e.g. \"exit 128: auth required\".", valueName: "text"))
    var reason: String?
    @Argument(help: ArgumentHelp("The unit to mark failed.", valueName: "unit")) var arguments: [String] = []

    func run() async throws {
        let unit = try Arity.exactlyOneUnit(arguments)
        let skipped = try await global.withClient(prefix: "fail unit failed", startingAgent: true) {
            try await $0.fail(unit, reason: reason)
        }
        var line = "Unit \(goQuoted(unit)) marked failed"
        if let reason, !reason.isEmpty { line += " (\(goQuoted(reason)))" }
        if !skipped.isEmpty { line += "; skipped because of it: [\(skipped.joined(separator: ", "))]" }
        Output.line(line)
    }
}
