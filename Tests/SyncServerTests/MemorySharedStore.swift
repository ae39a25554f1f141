import NIOCore
import SyncCore
import SyncProtocol
import Synchronization

@testable import SyncServer

/// One workspace's log in memory, shared by the ``MemorySharedStore`` of each agent: the contract of
/// ``SharedEventStore`` without a server (one change at a time under a lock, a notification to the other stores once
/// an append is stored), and the count of each store's changes and catch-ups.
final class MemoryWorkspace: Sendable {
    fileprivate struct State {
        var events: [EncodedEvent] = []
        /// The store holding the lock, and the changes waiting for it.
        var holder: ObjectIdentifier?
        var waiting: [(ObjectIdentifier, @Sendable () -> Void)] = []
        var wakes: [ObjectIdentifier: @Sendable () -> Void] = [:]
        /// The events up to this one are no longer read by catch-ups and changes (the store's retention deleted
        /// them); a reload still gets the whole state.
        var forgottenThrough: UInt64 = 0
        /// Notifications carry the events of their change (as PostgreSQL's do when they fit).
        var carriesEvents = false
        /// Each store's notified events, not taken yet (see ``MemorySharedStore/notifiedEvents(after:)``).
        var notified: [ObjectIdentifier: [SyncEvent]] = [:]
        /// Stored just before the next ``MemorySharedStore/appendIfCurrent(_:on:)``, as if another agent got there
        /// first (its events are made from the last one stored).
        var interject: (@Sendable (UInt64) -> [SyncEvent])?
        /// Whether the interjected events' notification carries them.
        var interjectCarried = true
        /// Stores whose next ``MemorySharedStore/notifiedEvents(after:)`` finds a notification without its events.
        var gaps: Set<ObjectIdentifier> = []
    }

    /// The events stored after `sequence`, read by `store` (what its notifications did not carry, it has now), or
    /// the gap when some of them were forgotten (``forget(through:)``).
    fileprivate func read(after sequence: UInt64, by store: MemorySharedStore) -> Result<[SyncEvent], SharedStoreGap> {
        let result = read(after: sequence)
        if case .success = result { state.withLock { _ = $0.gaps.remove(ObjectIdentifier(store)) } }
        return result
    }

    /// The events stored so far, in order.
    var storedEvents: [SyncEvent] { events(after: 0) }

    /// Makes notifications carry their events.
    func carryEvents() {
        state.withLock { $0.carriesEvents = true }
    }

    /// Has another agent store `events(last stored sequence)` just before the next append without a change, with a
    /// notification that carries them or (`carried` false) one that does not.
    func interject(carried: Bool = true, _ events: @escaping @Sendable (UInt64) -> [SyncEvent]) {
        state.withLock { state in
            state.interject = events
            state.interjectCarried = carried
        }
    }

    fileprivate let state = Mutex(State())

    /// Stores `events` and tells every store but `sender`; with `unlockedAfter`, only when nobody holds the lock and
    /// the last event stored is that one. - Returns: the wake-ups to call, `nil` when nothing was stored.
    fileprivate func store(
        _ events: [EncodedEvent], from sender: ObjectIdentifier, unlockedAfter expected: UInt64? = nil
    ) -> [@Sendable () -> Void]? {
        state.withLock { state in
            if let expected, state.holder != nil || (state.events.last?.sequence ?? 0) != expected { return nil }
            state.events += events
            if state.carriesEvents {
                let decoded = events.compactMap { (try? JSON.parse($0.json)).flatMap(SyncEvent.init(json:)) }
                for store in state.wakes.keys where store != sender { state.notified[store, default: []] += decoded }
            }
            return state.wakes.filter { $0.key != sender }.map(\.value)
        }
    }

    /// The events stored after `sequence`.
    fileprivate func events(after sequence: UInt64) -> [SyncEvent] {
        state.withLock { state in
            state.events.filter { $0.sequence > sequence }.compactMap { encoded in
                (try? JSON.parse(encoded.json)).flatMap(SyncEvent.init(json:))
            }
        }
    }

    /// The events stored after `sequence`, or the gap when some of them were forgotten (``forget(through:)``).
    fileprivate func read(after sequence: UInt64) -> Result<[SyncEvent], SharedStoreGap> {
        // Only stored events are deleted: a store whose last event is the newest stored never misses one.
        let forgotten = state.withLock { min($0.forgottenThrough, $0.events.last?.sequence ?? 0) }
        guard sequence >= forgotten else {
            return .failure(SharedStoreGap(expected: sequence + 1, found: forgotten + 1, location: "memory"))
        }
        return .success(events(after: sequence))
    }

    /// Plays the store's retention: catch-ups and changes that need events up to `sequence` fail with
    /// ``SharedStoreGap`` from now on.
    func forget(through sequence: UInt64) {
        state.withLock { $0.forgottenThrough = sequence }
    }

    /// Gives the lock to `store`, now or (calling `granted`) once the holder releases it.
    fileprivate func lock(_ store: ObjectIdentifier, _ granted: @escaping @Sendable () -> Void) {
        let now = state.withLock { state in
            guard state.holder != nil else {
                state.holder = store
                return true
            }
            state.waiting.append((store, granted))
            return false
        }
        if now { granted() }
    }

    fileprivate func unlock() {
        let next = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.waiting.isEmpty else {
                state.holder = nil
                return nil
            }
            let (store, granted) = state.waiting.removeFirst()
            state.holder = store
            return granted
        }
        next?()
    }
}

/// One agent's ``SharedEventStore`` on a ``MemoryWorkspace``.
final class MemorySharedStore: SharedEventStore, Sendable {
    let workspace: String = "memory"
    private let shared: MemoryWorkspace
    private let counts = Mutex((changes: 0, catchUps: 0, reloads: 0, appendsIfCurrent: 0))

    init(_ workspace: MemoryWorkspace) {
        shared = workspace
    }

    /// The workspace this store shares.
    var workspaceForTests: MemoryWorkspace { shared }

    /// Changes opened and catch-ups made so far.
    var changes: Int { counts.withLock { $0.changes } }
    var catchUps: Int { counts.withLock { $0.catchUps } }
    var reloads: Int { counts.withLock { $0.reloads } }
    /// Appends without a change tried so far (stored or declined).
    var appendsIfCurrent: Int { counts.withLock { $0.appendsIfCurrent } }

    var location: String { "memory" }
    var storeAddress: String { "memory" }

    func load() throws(StoreFailure) -> StoredState {
        StoredState(
            instance: "0123456789abcdef", snapshot: GraphSnapshot(sequence: 0, units: [], edges: []),
            events: shared.events(after: 0), recordsSinceCompaction: 0)
    }

    func beginChange(after sequence: UInt64, on loop: any EventLoop) -> EventLoopFuture<[SyncEvent]> {
        counts.withLock { $0.changes += 1 }
        let promise = loop.makePromise(of: [SyncEvent].self)
        shared.lock(ObjectIdentifier(self)) { [shared] in
            switch shared.read(after: sequence, by: self) {
            case .success(let events): promise.succeed(events)
            case .failure(let gap):
                shared.unlock()
                promise.fail(gap)
            }
        }
        return promise.futureResult
    }

    func endChange(on loop: any EventLoop) -> EventLoopFuture<Void> {
        shared.unlock()
        return loop.makeSucceededVoidFuture()
    }

    func catchUp(after sequence: UInt64, on loop: any EventLoop) -> EventLoopFuture<[SyncEvent]> {
        counts.withLock { $0.catchUps += 1 }
        return loop.makeCompletedFuture(shared.read(after: sequence, by: self).mapError { $0 as any Error })
    }

    var origin: String { "sync-agent pid 1 on memory" }

    func reload(on loop: any EventLoop) -> EventLoopFuture<StoredState> {
        counts.withLock { $0.reloads += 1 }
        // The whole graph, with only the events the retention kept, as a store's snapshot and events.
        var graph = UnitGraph(clock: { Timestamp(microseconds: 1) })
        let events = shared.events(after: 0)
        for event in events { graph.replay(event) }
        let forgotten = shared.state.withLock { $0.forgottenThrough }
        return loop.makeSucceededFuture(
            StoredState(
                instance: "0123456789abcdef", snapshot: graph.snapshot,
                events: events.filter { $0.sequence > forgotten }, recordsSinceCompaction: 0))
    }

    func append(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<EventStoreAppend> {
        let others = shared.store(events, from: ObjectIdentifier(self)) ?? []
        shared.unlock()
        let future = loop.makeSucceededFuture(EventStoreAppend.durable)
        future.whenComplete { _ in others.forEach { $0() } }
        return future
    }

    func compact(
        instance: String, snapshot: GraphSnapshot, history: [EncodedEvent], on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        loop.makeFailedFuture(StoreFailure(description: "a shared workspace is never compacted"))
    }

    func origins(of units: [String]) -> [String?] {
        units.map { _ in nil }
    }

    func listen(_ wake: @escaping @Sendable () -> Void) {
        let me = ObjectIdentifier(self)
        shared.state.withLock { $0.wakes[me] = wake }
    }

    func notifiedEvents(after sequence: UInt64) -> [SyncEvent]? {
        shared.state.withLock { state -> [SyncEvent]? in
            guard state.carriesEvents, !state.gaps.contains(ObjectIdentifier(self)) else { return nil }
            defer { state.notified[ObjectIdentifier(self)] = [] }
            let events = (state.notified[ObjectIdentifier(self)] ?? []).filter { $0.sequence > sequence }
            return events.first.map { $0.sequence == sequence + 1 } ?? true ? events : nil
        }
    }

    /// Stores `events` when the workspace's last event is the one before them and nobody holds the lock.
    func appendIfCurrent(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<SharedAppend> {
        counts.withLock { $0.appendsIfCurrent += 1 }
        let interjected = shared.state.withLock { state -> [EncodedEvent] in
            defer { state.interject = nil }
            return state.interject.map { $0(state.events.last?.sequence ?? 0).map { EncodedEvent($0) } } ?? []
        }
        var wakes = shared.store(interjected, from: ObjectIdentifier(shared)) ?? []
        shared.state.withLock { state in
            if !interjected.isEmpty, !state.interjectCarried { state.gaps = Set(state.wakes.keys) }
        }
        let stored = shared.store(
            events, from: ObjectIdentifier(self), unlockedAfter: (events.first?.sequence ?? 1) - 1)
        wakes += stored ?? []
        let future = loop.makeSucceededFuture(stored != nil ? SharedAppend.stored : .declined)
        future.whenComplete { _ in wakes.forEach { $0() } }
        return future
    }

    func close() async {}
}
