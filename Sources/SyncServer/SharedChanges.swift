import NIOCore
import SyncCore
import SyncProtocol

/// The books of an agent on a ``SharedEventStore``: the work that waits until the agent's graph is current (a read)
/// or until the agent holds the workspace's lock (a change), and whether a change or catch-up is running. Kept by
/// ``AgentCore`` on its event loop (see `AgentCore+SharedStore.swift`).
struct SharedChanges {
    /// One piece of work that waits for the graph to be current.
    struct Work {
        /// It may change the graph: it runs only inside a change.
        var changes: Bool
        /// A client's request (answered at once, stale or refused, while the store is unreachable), rather than the
        /// agent's own bookkeeping (a wait that ended), which waits for the store.
        var isRequest: Bool
        var body: () -> Void
    }

    let store: any SharedEventStore
    /// This agent as the origin of its own events, as JSON (see ``EncodedEvent/origin``).
    let ownOrigin: String
    /// Work in arrival order: a change runs everything queued before it too, so a connection's replies keep their
    /// order.
    var queue: [Work] = []
    /// A change or catch-up is running: the next one starts when it ends.
    var running = false
    /// The agent holds the lock and its graph is current: work runs at once (only within one loop turn).
    var inChange = false
    /// The running change handed events to the store: it ends when that append does.
    var appending = false
    /// Another agent stored events since the last catch-up.
    var wakeRequested = false
    /// A notification came while nothing waited for the others' events: the catch-up follows a little later.
    var idleCatchUpScheduled = false
    /// When the agent found the store unreachable, while it is: reads are marked stale (``AgentCore/staleRead``).
    var unreachableSince: Timestamp?
    /// Why, meanwhile: the store's error, for the subscribers' `store` push (``StoreReachability``).
    var unreachableReason: String?
    /// Failed attempts to reach the store in a row: the next waits longer (see ``retryDelay(base:)``).
    var failedAttempts = 0

    /// The wait before the next attempt to reach the store: `base`, doubling with each failure, at most 4 × `base`.
    func retryDelay(base: TimeAmount) -> TimeAmount {
        base * Int64(1 << min(failedAttempts, 2))
    }

    init(store: any SharedEventStore) {
        self.store = store
        ownOrigin = JSON.string(store.origin).compact
    }

    /// Whether the next step needs the lock.
    var needsChange: Bool { queue.contains { $0.changes } }
}
