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
    ///   - retryFirstConnection: retry the first connection too (to report the end of a command that ran while
    ///     the agent was restarting).
    ///   - timeout: the whole operation's limit, reconnections included; `nil` for none. `body` is given what is
    ///     left of it each time.
    ///   - body: the request; it must be safe to repeat (start carries a token for that).
    /// - Throws: the body's error; `timeout` when the deadline passes while reconnecting; `cancelled`.
    public func run<T: Sendable>(
        retryFirstConnection: Bool = false, timeout: Duration?, _ body: @Sendable (SyncClient, Duration?) async throws -> T
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var notified = false
        var attempt = 0
        var client: SyncClient
        switch await connectOnce() {
        case .success(let connected):
            client = connected
        case .failure(let error) where retryFirstConnection && Self.isLoss(error):
            notified = true
            onLoss(error)
            client = try await reconnect(attempt: &attempt, clock: clock, deadline: deadline)
        case .failure(let error):
            throw error
        }
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
            client = try await reconnect(attempt: &attempt, clock: clock, deadline: deadline)
        }
    }

    private func connectOnce() async -> Result<SyncClient, WireError> {
        do {
            return .success(try await SyncClient.connect(to: socketPath, client: clientName))
        } catch {
            return .failure(error)
        }
    }

    /// Connects again, backing off 50 ms, 100 ms… up to 1 s between attempts, until the deadline.
    private func reconnect(
        attempt: inout Int, clock: ContinuousClock, deadline: ContinuousClock.Instant?
    ) async throws(WireError) -> SyncClient {
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
                attempt = 0
                onReconnect()
                return reconnected
            }
        }
    }
}
