import SyncCore
import SyncOS
import SyncProtocol
import Synchronization

/// Follows the agent's event stream across agent restarts: when the connection is lost it reconnects with backoff
/// and resumes after the last event it saw (the agent sends a fresh snapshot when it cannot resume). Updates come
/// one at a time, in order.
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
    /// Items are handed over on the connection's reader thread as they are read (see
    /// ``SyncClient/follow(since:instance:onItem:)``) rather than from the follower's task: no task is woken per
    /// item, but `handle` then runs on that thread and, while it runs, nothing more is read.
    public let handsOverOnReaderThread: Bool

    public init(socketPath: SocketPath, clientName: String, handsOverOnReaderThread: Bool = false) {
        self.socketPath = socketPath
        self.clientName = clientName
        self.handsOverOnReaderThread = handsOverOnReaderThread
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
        let position = Position(since: since, instance: instance)
        var attempt = 0
        var connectedOnce = false
        while !Task.isCancelled {
            do {
                let client = try await SyncClient.connect(to: socketPath, client: clientName)
                defer { client.close() }
                connectedOnce = true
                attempt = 0
                // Events are numbered within one history; resume only within the agent first reached.
                let (since, instance) = position.resumeFrom(client.connection.hello?.instance)
                handle(.connected)
                if handsOverOnReaderThread {
                    try await client.follow(since: since, instance: instance) { item in
                        position.passed(item)
                        handle(.item(item))
                    }
                } else {
                    for try await item in client.subscribe(since: since, instance: instance) {
                        position.passed(item)
                        handle(.item(item))
                    }
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

/// Where a ``StreamFollower`` resumes: the last sequence and the agent history it belongs to, updated on the reader
/// thread as items pass and read by the follower's task when it reconnects.
private final class Position: Sendable {
    private let state: Mutex<(since: UInt64?, instance: String?)>

    init(since: UInt64?, instance: String?) { state = Mutex((since, instance)) }

    /// Where to resume; takes `instance` as the history when none is known yet.
    func resumeFrom(_ instance: String?) -> (since: UInt64?, instance: String?) {
        state.withLock { state in
            if state.instance == nil { state.instance = instance }
            return state
        }
    }

    /// Notes that `item` was handed over.
    func passed(_ item: StreamItem) {
        state.withLock { state in
            switch item {
            case .snapshot(let id, let snapshot):
                state.instance = id
                state.since = snapshot.sequence
            case .event(let event, _):
                state.since = event.sequence
            case .store:
                break
            }
        }
    }
}
