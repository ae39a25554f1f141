import SyncCore
import SyncProtocol

/// One item of the event stream.
public enum StreamItem: Sendable, Equatable {
    /// The whole state; `instance` names the agent's history (resume only within one instance).
    case snapshot(instance: String, GraphSnapshot)
    /// One change, in order; `origin` is the agent that made it, when the agent is on a shared store (protocol
    /// version 3).
    case event(SyncEvent, origin: String? = nil)
    /// The agent's shared store became unreachable, or reachable again (protocol version 3).
    case store(StoreReachability)
}

extension SyncClient {
    /// The graph's changes as they happen: a snapshot first unless the agent can resume after `since` (within
    /// `instance`), then every event in order, with nothing missed or repeated.
    ///
    /// The stream ends with an error when the agent drops the subscription (`too_slow`), shuts down
    /// (`shutting_down`) or goes away (`unreachable`), or sends a push this client cannot decode (`bad_reply`).
    /// Ending the iteration cancels the subscription.
    public func subscribe(since: UInt64? = nil, instance: String? = nil) -> AsyncThrowingStream<StreamItem, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await follow(since: since, instance: instance) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The same stream as ``subscribe(since:instance:)``, handed to `onItem` on the connection's reader thread as
    /// each item is read, in order: no task is woken per item. For a consumer that is thread-safe and cheap (it
    /// queues the item), such as `sync-top`'s mailbox.
    /// - Throws: when the subscription ends, as the stream does; cancelling the task cancels the subscription.
    public func follow(
        since: UInt64? = nil, instance: String? = nil, onItem: @escaping @Sendable (StreamItem) -> Void
    ) async throws(WireError) {
        // A subscription never succeeds: it ends with an error (a success is `bad_reply`).
        _ = try await connection.request(.subscribe(since: since.map(Int64.init), instance: instance)) { push in
            switch push {
            case .snapshot(let instance, let snapshot): onItem(.snapshot(instance: instance, snapshot))
            case .event(let event, let origin): onItem(.event(event, origin: origin))
            case .store(let reachability): onItem(.store(reachability))
            // A kind from a newer agent: skipped, so the stream goes on (the protocol's rule).
            case .unknownEvent, .startWaiting, .waitWaiting: break
            }
        }
    }
}
