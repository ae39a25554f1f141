import ArgumentParser
import Synchronization
import SyncClient
import SyncCore
import SyncProtocol

struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Wait until all unit dependencies are satisfied",
        usage: "syncctl start <unit> [--timeout <duration>]",
        discussion: """
            Wait until all dependencies are satisfied, consider the unit to have started, then allow it to \
            proceed. The agent wakes the start the moment its last dependency completes and marks the unit started \
            in the same step. If the agent restarts meanwhile, start reconnects and keeps waiting within its \
            timeout; if it came back without its state (run with --ephemeral, or its journal lost), start stops \
            with exit 123, since the new agent does not know what the unit waits for. Ctrl-C cancels the wait on \
            the agent.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(
        help: ArgumentHelp(
            "Maximum time to wait for dependencies (e.g., 30s, 5m, 1h30m). 0 waits without limit.",
            valueName: "duration"),
        transform: DurationArgument.parsing)
    var timeout = DurationArgument(nanoseconds: 300_000_000_000)
    @Argument(help: ArgumentHelp("The unit to start.", valueName: "unit")) var arguments: [String] = []

    func run() async throws {
        let unit = try Arity.exactlyOneUnit(arguments)
        try Arity.refuseEmptyNameAsStatus(unit)
        let (info, waitedFor, _) = try await Self.start(
            unit, timeout: timeout.duration, global: global, output: Output.line)
        if info.dependencies.isEmpty {
            Output.line("Unit \(goQuoted(unit)) started with no dependencies")
        } else if let waitedFor {
            Output.line(
                "Unit \(goQuoted(unit)) finished waiting for dependencies: [\(waitedFor.joined(separator: ", "))]")
        } else {
            Output.line(
                "Unit \(goQuoted(unit)) started immediately, dependencies already satisfied: "
                    + "[\(info.dependencies.joined(separator: ", "))]")
        }
    }

    /// Starts `unit`, waiting as long as needed, across agent restarts, printing the waiting line once with
    /// `output`. Shared with `run`.
    /// - Returns: the start, and the dependencies it first waited for (`nil` when it did not wait).
    /// - Parameter redeclare: the dependencies to declare again on an agent that came back without its state
    ///   (`run --after`); without them such an agent stops the start: it does not know what the unit waits for.
    static func start(
        _ unit: String, timeout: Duration?, global: GlobalOptions, redeclare dependencies: [String] = [],
        output: @escaping @Sendable (String) -> Void
    ) async throws -> (StartInfo, [String]?, instance: String?) {
        let token = SyncClient.newToken()
        let startedOn = Mutex<String?>(nil)
        let redeclare: Reconnector.Redeclare? =
            dependencies.isEmpty
            ? nil : { @Sendable client async throws(WireError) in try await client.want(unit, dependsOn: dependencies) }
        let waitedFor = Mutex<[String]?>(nil)
        let info = try await Interruptible.run(what: "the wait of unit '\(unit)'") {
            try await global.withReconnection(
                prefix: "start unit failed", timeout: timeout,
                timeoutMessage: "timeout waiting for dependencies of unit '\(unit)'",
                stateLostMessage: "\(Reconnector.stateLostMessage); \(unit)'s dependencies are unknown. "
                    + "Declare them again (syncctl want) and start it again",
                redeclare: redeclare
            ) { client, remaining in
                defer { startedOn.withLock { $0 = client.connection.hello?.instance } }
                return try await client.start(unit, timeout: remaining, token: token) { waiting in
                    let first = waitedFor.withLock { list in
                        defer { if list == nil { list = waiting.unsatisfied } }
                        return list == nil
                    }
                    guard first else { return }
                    output(
                        "Unit \(goQuoted(unit)) is waiting for dependencies to be satisfied: "
                            + "[\(waiting.unsatisfied.joined(separator: ", "))]")
                }
            }
        }
        return (info, waitedFor.withLock { $0 }, startedOn.withLock { $0 })
    }
}
