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
        try await run(after: Handover(token: SyncClient.newToken(), timeout: timeout.duration))
    }

    /// Starts the unit, going on from `handover` (what the start on the main thread left to do).
    func run(after handover: Handover) async throws {
        let unit = try Arity.exactlyOneUnit(arguments)
        let (info, waitedFor, _) = try await Self.start(
            unit, timeout: handover.timeout, global: global, token: handover.token, after: handover.loss,
            waitedFor: handover.waitedFor, output: Output.line)
        Self.report(unit, info, waitedFor: waitedFor)
    }

    /// Prints the line of a start that succeeded, as coder prints it.
    static func report(_ unit: String, _ info: StartInfo, waitedFor: [String]?) {
        Output.line(finishedLine(unit, info, waitedFor: waitedFor))
    }

    /// coder's line for a start that went through: without dependencies, after waiting, or at once.
    static func finishedLine(_ unit: String, _ info: StartInfo, waitedFor: [String]?) -> String {
        if info.dependencies.isEmpty {
            "Unit \(goQuoted(unit)) started with no dependencies"
        } else if let waitedFor {
            "Unit \(goQuoted(unit)) finished waiting for dependencies: [\(waitedFor.joined(separator: ", "))]"
        } else {
            "Unit \(goQuoted(unit)) started immediately, dependencies already satisfied: "
                + "[\(info.dependencies.joined(separator: ", "))]"
        }
    }

    /// Starts `unit`, waiting as long as needed, across agent restarts, printing the waiting line once with
    /// `output`. Shared with `run`.
    /// - Returns: the start, and the dependencies it first waited for (`nil` when it did not wait).
    /// - Parameters:
    ///   - redeclare: the dependencies to declare again on an agent that came back without its state
    ///     (`run --after`); without them such an agent stops the start: it does not know what the unit waits for.
    ///   - token: the start's token, when it goes on from an earlier attempt (``Handover``).
    ///   - loss: the connection of that attempt, when it was lost.
    ///   - waitedFor: what that attempt printed the waiting line for (it is not printed again).
    static func start(
        _ unit: String, timeout: Duration?, global: GlobalOptions, redeclare dependencies: [String] = [],
        token: String = SyncClient.newToken(), after loss: Reconnector.Loss? = nil, waitedFor: [String]? = nil,
        output: @escaping @Sendable (String) -> Void
    ) async throws -> (StartInfo, [String]?, instance: String?) {
        let startedOn = Mutex<String?>(nil)
        let redeclare: Reconnector.Redeclare? =
            dependencies.isEmpty
            ? nil : { @Sendable client async throws(WireError) in try await client.want(unit, dependsOn: dependencies) }
        let waitedFor = Mutex<[String]?>(waitedFor)
        let info = try await Interruptible.run(what: Self.what(unit)) {
            try await global.withReconnection(
                prefix: Self.failurePrefix, timeout: timeout, timeoutMessage: Self.timeoutMessage(unit),
                stateLostMessage: "\(Reconnector.stateLostMessage); \(unit)'s dependencies are unknown. "
                    + "Declare them again (syncctl want) and start it again",
                after: loss, redeclare: redeclare
            ) { client, remaining in
                defer { startedOn.withLock { $0 = client.connection.hello?.instance } }
                return try await client.start(unit, timeout: remaining, token: token) { waiting in
                    let first = waitedFor.withLock { list in
                        defer { if list == nil { list = waiting.unsatisfied } }
                        return list == nil
                    }
                    guard first else { return }
                    output(waitingLine(unit, waiting))
                }
            }
        }
        return (info, waitedFor.withLock { $0 }, startedOn.withLock { $0 })
    }
}

extension Start {
    /// What a start prints when it has to wait.
    static func waitingLine(_ unit: String, _ waiting: StartWaiting) -> String {
        "Unit \(goQuoted(unit)) is waiting for dependencies to be satisfied: "
            + "[\(waiting.unsatisfied.joined(separator: ", "))]"
    }

    /// The wait a signal cancels, for the interrupted message.
    static func what(_ unit: String) -> String { "the wait of unit '\(unit)'" }

    /// coder's prefix of a failed start.
    static let failurePrefix = "start unit failed"

    /// coder's message when the dependencies did not complete in time.
    static func timeoutMessage(_ unit: String) -> String { "timeout waiting for dependencies of unit '\(unit)'" }
}
