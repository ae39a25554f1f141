import ArgumentParser
import SyncCore

struct Note: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Set a unit's progress note",
        usage: "syncctl note <unit> <text>",
        discussion: """
            Set a one-line progress note on a registered unit, e.g. "migrating 3/10". It is kept with the unit \
            until the next note, whatever its status, and shown by status, list -o json, why, watch and sync-top. \
            An empty text clears it. Newlines and other control characters become spaces, and a note longer than \
            200 bytes is cut and ends with "…". A unit nobody declared is refused (exit 1), so a misspelt name \
            does not become a new unit.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The unit, then the note (\"\" clears it).", valueName: "unit> <text"))
    var arguments: [String] = []

    func run() async throws {
        guard arguments.count == 2 else {
            throw CommandFailure(.usage, "a unit name and a note are required (\"\" clears the note)")
        }
        let (unit, text) = (arguments[0], arguments[1])
        let kept = try await global.withClient(prefix: "note unit failed", startingAgent: true) {
            try await $0.note(unit, text)
        }
        Output.line(Self.text(unit: unit, kept: kept))
    }

    /// `Unit "db" noted: "migrating 3/10"`, or `Unit "db" note cleared`.
    static func text(unit: String, kept: String?) -> String {
        kept.map { "Unit \(goQuoted(unit)) noted: \(goQuoted($0))" } ?? "Unit \(goQuoted(unit)) note cleared"
    }
}
