import SyncCore
import SyncProtocol

/// Runs a request against the agent and, when the agent goes away or restarts, reconnects with backoff and runs it
/// again, within a deadline. With the journal, a restarted agent knows everything the old one did, so a waiting
/// `start`, `wait` or `run` simply keeps waiting.
///
/// The first connection is not retried: when no agent is there at all, the caller learns it at once.
public struct Reconnector: Sendable {
    public let socketPath: SocketPath
    public let clientName: String
    /// Called once, on the first loss, with the error (for a one-line note on stderr).
    public let onLoss: @Sendable (WireError) -> Void
    /// Called once per successful reconnection.
    public let onReconnect: @Sendable () -> Void

    public init(
        socketPath: SocketPath, clientName: String = "syncctl", onLoss: @escaping @Sendable (WireError) -> Void = { _ in },
        onReconnect: @escaping @Sendable () -> Void = {}
    ) {
        self.socketPath = socketPath
        self.clientName = clientName
        self.onLoss = onLoss
        self.onReconnect = onReconnect
    }

    /// The message of the `timeout` thrown when the deadline passes while reconnecting.
    public static let deadlineMessage = "the agent did not come back before the timeout"

    /// Whether an error means the agent went away (so the request may be repeated on a new connection).
    public static func isLoss(_ error: WireError) -> Bool {
        error.code == .unreachable || error.code == .shuttingDown
    }

    /// Runs `body` until it returns or fails for another reason than losing the agent.
    /// - Parameters:
    ///   - timeout: the whole operation's limit, reconnections included; `nil` for none. `body` is given what is
    ///     left of it each time.
    ///   - body: the request; it must be safe to repeat (start carries a token for that).
    /// - Throws: the body's error; `timeout` when the deadline passes while reconnecting; `cancelled`.
    public func run<T: Sendable>(
        timeout: Duration?, _ body: @Sendable (SyncClient, Duration?) async throws -> T
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var client = try await SyncClient.connect(to: socketPath, client: clientName)
        var notified = false
        var attempt = 0
        while true {
            do {
                let remaining = deadline.map { clock.now.duration(to: $0) }
                defer { client.close() }
                return try await body(client, remaining.map { max($0, .milliseconds(1)) })
            } catch let error as WireError where Self.isLoss(error) {
                if !notified {
                    notified = true
                    onLoss(error)
                }
            }
            while true {
                attempt += 1
                let backoff = Duration.milliseconds(min(1000, 25 << min(attempt, 6)))
                if let deadline, clock.now + backoff > deadline {
                    throw WireError(.timeout, Self.deadlineMessage)
                }
                do {
                    try await Task.sleep(for: backoff)
                } catch {
                    throw WireError(.cancelled, "cancelled while reconnecting to the agent")
                }
                if let reconnected = try? await SyncClient.connect(to: socketPath, client: clientName) {
                    client = reconnected
                    attempt = 0
                    onReconnect()
                    break
                }
            }
        }
    }
}
