import NIOCore
import SyncCore

/// An ``EventStore`` that several agents share (`sync-agent --store postgres://… --workspace NAME`): every agent
/// naming the same store and workspace serves one graph.
///
/// **A change is one transaction.** ``beginChange(after:on:)`` takes the workspace's lock and hands back the events
/// other agents stored after the agent's last one; the agent applies them (``UnitGraph/applyForeign(_:)``), then the
/// requests that waited for the change, and ends the change with ``EventStore/append(_:on:)`` (which stores the
/// events, tells the other agents, commits and releases the lock) or, when it recorded nothing,
/// ``endChange(on:)``. Only then does any reply leave. One change at a time per agent.
///
/// **Reads** answer after ``catchUp(after:on:)``, which reads what others stored without taking the lock.
///
/// **Push.** ``listen(_:)``'s closure is called, on any thread, when another agent stored events: the agent catches
/// up (from ``notifiedEvents(after:)`` when the notifications carried the events) and wakes its parked waiters; a
/// parked start they made ready is settled with ``appendIfCurrent(_:on:)`` when nothing else was stored since.
///
/// A failure of either call (the store is unreachable) leaves the store as it was; the agent refuses changes with
/// `store_unavailable` until a change can be opened again.
package protocol SharedEventStore: EventStore {
    /// The store's address, without any password (`postgres://ci@db:5432/graph`), as `hello` reports it.
    var storeAddress: String { get }
    /// The workspace's name, as `hello` reports it.
    var workspace: String { get }

    /// Opens a change: takes the workspace's lock and reads the events stored after `sequence`, oldest first. The
    /// change ends with the next `append` or ``endChange(on:)``.
    func beginChange(after sequence: UInt64, on loop: any EventLoop) -> EventLoopFuture<[SyncEvent]>

    /// Ends the open change without storing anything (releases the lock).
    func endChange(on loop: any EventLoop) -> EventLoopFuture<Void>

    /// Reads the events stored after `sequence`, oldest first, without taking the lock.
    func catchUp(after sequence: UInt64, on loop: any EventLoop) -> EventLoopFuture<[SyncEvent]>

    /// This agent as the origin of the events it stores (`sync-agent pid 4242 on host-b`).
    var origin: String { get }

    /// The agent that stored event `sequence`, for the events the last catch-up or change read (the most recent
    /// ones, at least the last ``UnitOrigins/recentEvents``); `nil` when not known. Called on any thread.
    func origin(ofEvent sequence: UInt64) -> String?

    /// Reads the workspace back as ``EventStore/load()`` does (the snapshot, then the events after it) and takes it
    /// as what this store last knew to be committed: for an agent that fell so far behind that the events it needs
    /// were deleted (``SharedStoreGap``). No lock is taken.
    func reload(on loop: any EventLoop) -> EventLoopFuture<StoredState>

    /// Which agent made the last committed change of each of `units` (``UnitOrigins``), in order; `nil` where it is
    /// not known. Called on any thread; current as of the last catch-up, change or append that completed.
    func origins(of units: [String]) -> [String?]

    /// Calls `wake` (on any thread) whenever another agent may have stored events, and once the store is reachable
    /// again after it was not.
    func listen(_ wake: @escaping @Sendable () -> Void)

    /// The loop the store does its work on, when the agent should run on it too (its calls and completions then
    /// stay on one thread); `nil`: the agent runs on a loop of its own. The store shuts it down in `close()`.
    var eventLoop: (any EventLoop)? { get }

    /// The events after `sequence` that the other agents' notifications carried, oldest first, when they are all
    /// that the notifications since the last call announced: the agent applies them as a catch-up's, without
    /// reading the store. `nil`: a notification did not carry its events (too large, an older agent's), came after
    /// a gap, or the connection closed; the agent reads the store. Called on the store's ``eventLoop``.
    func notifiedEvents(after sequence: UInt64) -> [SyncEvent]?

    /// Stores `events` as a change of their own, without an open change: takes the workspace's lock, and appends,
    /// tells the other agents and commits only when the store's last event is still the one before `events` (the
    /// agent worked them out from a graph it knows to be current, see ``notifiedEvents(after:)``); releases the
    /// lock. ``SharedAppend/declined``: nothing was stored (another agent stored events first, or the append must
    /// be a change of its own); the agent opens a change. A failure is the store unreachable, as for an append.
    func appendIfCurrent(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<SharedAppend>
}

/// What ``SharedEventStore/appendIfCurrent(_:on:)`` did.
package enum SharedAppend: Sendable {
    /// The events are stored and committed.
    case stored
    /// Nothing was stored.
    case declined
}

extension SharedEventStore {
    package var eventLoop: (any EventLoop)? { nil }
    package func origin(ofEvent sequence: UInt64) -> String? { nil }

    package func notifiedEvents(after sequence: UInt64) -> [SyncEvent]? { nil }

    package func appendIfCurrent(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<SharedAppend> {
        loop.makeSucceededFuture(.declined)
    }
}
