import SyncCore
import SyncOS
import SyncProtocol

/// Follows the agent's event stream across agent restarts: when the connection is lost it reconnects with backoff
/// and resumes after the last event it saw (the agent sends a fresh snapshot when it cannot resume).
public struct StreamFollower: Sendable {
    /// What happens, in order.
    public enum Update: Sendable {
        /// Subscribed (the first time or again).
        case connected
        /// A snapshot or an event.
        case item(StreamItem)
        /// The connection was lost (or could not be made); the follower retries after a backoff.
        case lost(WireError, attempt: Int)
    }

    public let socketPath: SocketPath
    public let clientName: String

    public init(socketPath: SocketPath, clientName: String) {
        self.socketPath = socketPath
        self.clientName = clientName
    }

    /// Follows the stream until the task is cancelled.
    /// - Parameters:
    ///   - since: resume after this sequence number; `nil` starts with a snapshot, `0` with every event held.
    ///   - instance: the agent history `since` belongs to; `nil` takes the instance of the first agent reached.
    ///   - retryFirstConnection: when false, a failure of the very first connection is thrown instead of retried.
    /// - Throws: the first connection's failure when `retryFirstConnection` is false; `bad_reply` when the agent
    ///   sends what this client cannot decode (reconnecting would only get the same again).
    public func run(
        since: UInt64?, instance: String? = nil, retryFirstConnection: Bool,
        _ handle: @escaping @Sendable (Update) -> Void
    ) async throws(WireError) {
        var since = since
        var instance = instance
        var attempt = 0
        var connectedOnce = false
        while !Task.isCancelled {
            do {
                let client = try await SyncClient.connect(to: socketPath, client: clientName)
                defer { client.close() }
                connectedOnce = true
                attempt = 0
                // Events are numbered within one history; resume only within the agent first reached.
                if instance == nil { instance = client.connection.hello?.instance }
                handle(.connected)
                for try await item in client.subscribe(since: since, instance: instance) {
                    switch item {
                    case .snapshot(let id, let snapshot):
                        instance = id
                        since = snapshot.sequence
                    case .event(let event):
                        since = event.sequence
                    }
                    handle(.item(item))
                }
                return
            } catch let error as WireError {
                if error.code == .cancelled || Task.isCancelled { return }
                if !connectedOnce && !retryFirstConnection || error.code == .badReply { throw error }
                attempt += 1
                handle(.lost(error, attempt: attempt))
            } catch {
                return
            }
            do {
                try await Task.sleep(for: .milliseconds(min(1000, 25 << min(attempt, 6))))
            } catch {
                return
            }
        }
    }
}
