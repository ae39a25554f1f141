import ArgumentParser
import SyncClient
import SyncOS
import SyncProtocol

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(SocketPath.optionHelp, valueName: "path"))
    var socketPath: String?

    @Flag(help: "Never start an agent when none answers (as SYNC_AGENT_AUTOSTART=0).")
    var noAutostart = false

    /// The resolved socket path.
    var socket: SocketPath { SocketPath.resolve(explicit: socketPath) }

    /// Starts an agent when none answers (for the commands that change or wait on state).
    var autostart: AgentAutostart { AgentAutostart(socket: socket, turnedOffByFlag: noAutostart) }

    /// Connects to the agent, or fails with coder's message and a hint.
    /// - Parameter startingAgent: start an agent when none answers, unless autostart is off.
    func connect(startingAgent: Bool = false) async throws -> SyncClient {
        let socket = self.socket
        do {
            if startingAgent {
                return try await AgentAutostart(socket: socket, turnedOffByFlag: noAutostart).connect()
            }
            return try await SyncClient.connect(to: socket, client: "syncctl")
        } catch {
            throw CommandFailure(error, prefix: nil, socket: socket)
        }
    }

    /// Runs `body` against the agent, turning its errors into ``CommandFailure``s with `prefix`.
    /// - Parameter startingAgent: start an agent when none answers, unless autostart is off.
    func withClient<T>(
        prefix: String?, startingAgent: Bool = false, _ body: (SyncClient) async throws -> T
    ) async throws -> T {
        let client = try await connect(startingAgent: startingAgent)
        defer { client.close() }
        do {
            let result = try await body(client)
            if let stale = client.connection.lastStaleRead { Output.error(stale.note) }
            return result
        } catch let error as WireError {
            throw CommandFailure(error, prefix: prefix, socket: socket)
        }
    }
}

extension GlobalOptions {
    /// Runs a waiting request that survives an agent restart: on a lost connection it reconnects with backoff and
    /// repeats the request within `timeout`, with a one-line note on stderr. Errors become ``CommandFailure``s.
    ///
    /// An agent that came back without its state (another instance) stops the command with `stateLostMessage`,
    /// exit 123, unless `redeclare` can declare again what the request relies on.
    ///
    /// The first connection starts an agent when none answers (unless autostart is off), except with
    /// `retryFirstConnection`: that reports the end of a command whose agent went away meanwhile; or after `loss`, a
    /// connection of the command that was lost already (``Reconnector/Loss``).
    func withReconnection<T: Sendable>(
        prefix: String, timeout: Duration?, timeoutMessage: String, stateLostMessage: String? = nil,
        retryFirstConnection: Bool = false, after loss: Reconnector.Loss? = nil,
        redeclare: Reconnector.Redeclare? = nil,
        _ body: @escaping @Sendable (SyncClient, Duration?) async throws -> T
    ) async throws -> T {
        let socket = self.socket
        let reconnector = Reconnector(
            socketPath: socket, deadlineMessage: timeoutMessage,
            onLoss: { error in
                Output.error(
                    "syncctl: lost the agent at \(socket.path) (\(error.message)); reconnecting, still waiting")
            },
            firstConnection: retryFirstConnection
                ? nil : Self.connector(AgentAutostart(socket: socket, turnedOffByFlag: noAutostart)))
        do {
            return try await reconnector.run(
                retryFirstConnection: retryFirstConnection, after: loss, timeout: timeout, redeclare: redeclare,
                body)
        } catch var error as WireError {
            if error.code == .agentRestarted, let stateLostMessage { error.message = stateLostMessage }
            throw CommandFailure(error, prefix: prefix, socket: socket)
        }
    }
}

extension GlobalOptions {
    /// The first connection of a waiting command: starts an agent when none answers, unless autostart is off.
    fileprivate static func connector(_ autostart: AgentAutostart) -> Reconnector.FirstConnection {
        { @Sendable (limit: Duration) async throws(WireError) -> SyncClient in
            try await autostart.connect(helloTimeout: limit)
        }
    }
}

/// Manual arity checks with coder's messages (coder checks arguments in its handlers, not in its parser).
enum Arity {
    static func exactlyOneUnit(_ arguments: [String]) throws -> String {
        guard arguments.count == 1 else { throw CommandFailure(.usage, "exactly one unit name is required") }
        return arguments[0]
    }

    /// `start ""` and `status ""` fail as coder's do: both ask for the unit's status first, which refuses an
    /// empty name with this message (exit 1, nothing sent).
    static func refuseEmptyNameAsStatus(_ unit: String) throws {
        guard unit.isEmpty else { return }
        throw CommandFailure(
            .refused, "get status failed: cannot check readiness: unit ID cannot be empty: unit name is required")
    }
}
