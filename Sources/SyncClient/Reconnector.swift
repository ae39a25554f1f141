import SyncCore
import SyncOS
import SyncProtocol

/// Runs a request against the agent and, when the agent goes away or restarts, reconnects with backoff and runs it
/// again, within a deadline. With the journal, a restarted agent knows everything the old one did (hello names the
/// same `instance`), so a waiting `start`, `wait` or `run` simply keeps waiting. An agent with another instance
/// lost that state: repeating the request there could start a unit whose dependencies it never heard of, so the
/// run stops with `agent_restarted`, unless the caller can declare again what the request relies on.
///
/// The first connection is not retried: when no agent is there at all, the caller learns it at once.
public struct Reconnector: Sendable {
    public let socketPath: SocketPath
    public let clientName: String
    /// Called once, on the first loss, with the error (for a one-line note on stderr).
    public let onLoss: @Sendable (WireError) -> Void
    /// Called once per successful reconnection.
    public let onReconnect: @Sendable () -> Void
    /// The message of the `timeout` thrown when the deadline passes while reconnecting (or without an answer).
    public let deadlineMessage: String
    /// Makes the first connection, given how long hello may take (syncctl's starts an agent when none answers);
    /// `nil` connects plainly. Reconnections always connect plainly.
    public let firstConnection: FirstConnection?

    /// Connects for the first time; the argument is how long hello may take.
    public typealias FirstConnection = @Sendable (Duration) async throws(WireError) -> SyncClient

    public init(
        socketPath: SocketPath, clientName: String = "syncctl",
        deadlineMessage: String = Reconnector.defaultDeadlineMessage,
        onLoss: @escaping @Sendable (WireError) -> Void = { _ in }, onReconnect: @escaping @Sendable () -> Void = {},
        firstConnection: FirstConnection? = nil
    ) {
        self.socketPath = socketPath
        self.clientName = clientName
        self.deadlineMessage = deadlineMessage
        self.onLoss = onLoss
        self.onReconnect = onReconnect
        self.firstConnection = firstConnection
    }

    /// The default message of the `timeout` thrown when the deadline passes while reconnecting.
    public static let defaultDeadlineMessage = "the agent did not come back before the timeout"

    /// The message of the `agent_restarted` thrown when the agent came back without its state.
    public static let stateLostMessage = "the agent restarted without its state"

    /// Declares again, on an agent that lost its state, what the request relies on (e.g. `run --after`'s
    /// dependencies). It runs before the request is repeated there.
    public typealias Redeclare = @Sendable (SyncClient) async throws(WireError) -> Void

    /// The longest a connection may take to answer hello before it counts as lost.
    public static let helloTimeout = Duration.seconds(10)

    /// How long past the deadline the client waits for the agent's own `timeout` reply (the agent counts from when
    /// it received the request) before it gives up by itself: the deadline holds even against an agent that is
    /// there but does not answer (stopped, hung).
    public static let grace = Duration.milliseconds(500)

    /// A connection lost before ``run(retryFirstConnection:after:timeout:redeclare:_:)`` took over: the error it
    /// ended with, and the `instance` its agent named in hello (empty when unknown).
    public struct Loss: Sendable {
        public var error: WireError
        public var instance: String

        public init(error: WireError, instance: String) {
            self.error = error
            self.instance = instance
        }
    }

    /// Whether an error means the agent went away (so the request may be repeated on a new connection).
    public static func isLoss(_ error: WireError) -> Bool {
        error.code == .unreachable || error.code == .shuttingDown
    }

    /// Runs `body` until it returns or fails for another reason than losing the agent.
    /// - Parameters:
    ///   - retryFirstConnection: retry the first connection too (to report the end of a command that ran while
    ///     the agent was restarting).
    ///   - loss: a connection the caller had and lost, with the request perhaps sent on it: the run begins as
    ///     after a loss (the note, reconnecting with backoff, never starting an agent) and holds the agent it
    ///     reconnects to against that connection's instance.
    ///   - timeout: the whole operation's limit, reconnections included, honoured to the end whether or not the
    ///     agent can be reached; `nil` for none. `body` is given what is left of it each time.
    ///   - redeclare: when the agent came back with another instance, declares again what `body` relies on;
    ///     `nil` stops with `agent_restarted` (``stateLostMessage``) instead.
    ///   - body: the request; it must be safe to repeat (start carries a token for that).
    /// - Throws: the body's error; `timeout` with ``deadlineMessage`` when the deadline passes while reconnecting,
    ///   or ``grace`` after it without an answer; `agent_restarted`; `cancelled`.
    public func run<T: Sendable>(
        retryFirstConnection: Bool = false, after loss: Loss? = nil, timeout: Duration?,
        redeclare: Redeclare? = nil, _ body: @Sendable (SyncClient, Duration?) async throws -> T
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var notified = false
        var attempt = 0
        var client: SyncClient
        if let loss {
            notified = true
            onLoss(loss.error)
            client = try await reconnect(attempt: &attempt, clock: clock, deadline: deadline)
        } else {
            switch await connectOnce(deadline: deadline, clock: clock) {
            case .success(let connected):
                client = connected
            case .failure(let error) where retryFirstConnection && Self.isLoss(error):
                notified = true
                onLoss(error)
                client = try await reconnect(attempt: &attempt, clock: clock, deadline: deadline)
            case .failure(let error):
                throw error
            }
        }
        let instance = loss?.instance ?? client.connection.hello?.instance ?? ""
        while true {
            do {
                defer { client.close() }
                let now = client.connection.hello?.instance ?? ""
                if now != instance && !now.isEmpty && !instance.isEmpty {
                    guard let redeclare else { throw WireError(.agentRestarted, Self.stateLostMessage) }
                    try await redeclare(client)
                }
                let remaining = deadline.map { clock.now.duration(to: $0) }
                let limit = deadline.map { $0 + Self.grace }
                return try await Self.guarding(client, until: limit, clock: clock, message: deadlineMessage) {
                    try await body(client, remaining.map { max($0, .milliseconds(1)) })
                }
            } catch let error as WireError where Self.isLoss(error) {
                if !notified {
                    notified = true
                    onLoss(error)
                }
            }
            client = try await reconnect(attempt: &attempt, clock: clock, deadline: deadline)
        }
    }

    /// The first connection. Its hello may take until ``grace`` past the deadline (the agent enforces the
    /// request's own timeout once it has it); one that does not come by then is the deadline passing.
    private func connectOnce(
        deadline: ContinuousClock.Instant?, clock: ContinuousClock
    ) async -> Result<SyncClient, WireError> {
        var limit = Self.helloTimeout
        if let deadline { limit = min(limit, max(clock.now.duration(to: deadline + Self.grace), .milliseconds(1))) }
        do {
            if let firstConnection { return .success(try await firstConnection(limit)) }
            return .success(try await SyncClient.connect(to: socketPath, client: clientName, helloTimeout: limit))
        } catch {
            if let deadline, clock.now >= deadline, error.code == .unreachable {
                return .failure(WireError(.timeout, deadlineMessage))
            }
            return .failure(error)
        }
    }

    /// Runs `body`; if it has not ended by `limit`, closes `client` so that it fails with `timeout` and `message`.
    private static func guarding<T>(
        _ client: SyncClient, until limit: ContinuousClock.Instant?, clock: ContinuousClock, message: String,
        _ body: () async throws -> T
    ) async throws -> T {
        guard let limit else { return try await body() }
        let watchdog = Task {
            do { try await clock.sleep(until: limit) } catch { return }
            client.connection.close(because: WireError(.timeout, message))
        }
        defer { watchdog.cancel() }
        return try await body()
    }

    /// Connects, giving hello at most ``helloTimeout`` or what is left before the deadline.
    private func connect(deadline: ContinuousClock.Instant?, clock: ContinuousClock) async throws(WireError)
        -> SyncClient
    {
        var limit = Self.helloTimeout
        if let deadline { limit = min(limit, max(clock.now.duration(to: deadline), .milliseconds(1))) }
        return try await SyncClient.connect(to: socketPath, client: clientName, helloTimeout: limit)
    }

    /// Connects again, backing off 50 ms, 100 ms… up to 1 s between attempts, until the deadline: the last pause
    /// is cut to end at the deadline, and the deadline passes before this gives up.
    private func reconnect(
        attempt: inout Int, clock: ContinuousClock, deadline: ContinuousClock.Instant?
    ) async throws(WireError) -> SyncClient {
        while true {
            attempt += 1
            var pause = Duration.milliseconds(min(1000, 25 << min(attempt, 6)))
            if let deadline {
                let left = clock.now.duration(to: deadline)
                if left <= .zero { throw WireError(.timeout, deadlineMessage) }
                pause = min(pause, left)
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw WireError(.cancelled, "cancelled while reconnecting to the agent")
            }
            if let deadline, clock.now >= deadline { throw WireError(.timeout, deadlineMessage) }
            do {
                let reconnected = try await connect(deadline: deadline, clock: clock)
                attempt = 0
                onReconnect()
                return reconnected
            } catch let error where error.code == .unsafeSocket {
                throw error
            } catch {
                continue
            }
        }
    }
}
