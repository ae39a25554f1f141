import ArgumentParser
import Synchronization
import SyncClient
import SyncCore

struct Wait: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until units have completed",
        usage: "syncctl wait (<unit> ... | --all) [--timeout <duration>]",
        discussion: """
            Block until every given unit (or, with --all, every unit registered at this moment) is completed. \
            Units need not be registered yet. Exits 122 naming the culprit as soon as one of them fails or is \
            skipped, 124 on timeout. If the agent restarts meanwhile, wait reconnects and keeps waiting; if it \
            came back without its state (--ephemeral, or its journal lost), wait stops with exit 123. Useful in CI \
            and for people.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Wait for every unit registered now.") var all = false
    @Option(
        help: ArgumentHelp("Maximum time to wait (e.g., 30s, 5m). 0 waits without limit.", valueName: "duration"),
        transform: DurationArgument.parsing)
    var timeout = DurationArgument(nanoseconds: 0)
    @Argument(help: ArgumentHelp("The units to wait for.", valueName: "unit")) var units: [String] = []

    func validate() throws {
        if all == !units.isEmpty {
            throw ValidationError("give either units or --all")
        }
    }

    func run() async throws {
        let units = self.units
        let all = self.all
        let timeout = self.timeout.duration
        let printed = Mutex(false)
        let done = try await Interruptible.run(what: "the wait") {
            try await global.withReconnection(
                prefix: "wait failed", timeout: timeout, timeoutMessage: "timeout waiting for units to complete",
                stateLostMessage: "\(Reconnector.stateLostMessage); whether "
                    + (all ? "the units" : "[\(units.joined(separator: ", "))]")
                    + " completed is unknown. Run the units again, then wait again"
            ) { client, remaining in
                try await client.wait(for: units, all: all, timeout: remaining) { remaining in
                    let first = printed.withLock { (done: inout Bool) -> Bool in
                        defer { done = true }
                        return !done
                    }
                    guard first else { return }
                    Output.line("Waiting for units to complete: [\(remaining.joined(separator: ", "))]")
                }
            }
        }
        if done.isEmpty {
            Output.line("No units registered")
        } else {
            Output.line("Units completed: [\(done.joined(separator: ", "))]")
        }
    }
}
