import SyncCore
import SyncProtocol

/// One item of the event stream.
public enum StreamItem: Sendable, Equatable {
    /// The whole state; `instance` names the agent's history (resume only within one instance).
    case snapshot(instance: String, GraphSnapshot)
    /// One change, in order.
    case event(SyncEvent)
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
                    // A subscription never succeeds: it ends with an error (a success is `bad_reply`).
                    _ = try await connection.request(.subscribe(since: since.map(Int64.init), instance: instance)) {
                        push in
                        switch push {
                        case .snapshot(let instance, let snapshot):
                            continuation.yield(.snapshot(instance: instance, snapshot))
                        case .event(let event): continuation.yield(.event(event))
                        // A kind from a newer agent: skipped, so the stream goes on (the protocol's rule).
                        case .unknownEvent, .startWaiting, .waitWaiting: break
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
