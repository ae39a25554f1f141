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
    }

    fileprivate let state = Mutex(State())

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
    private let counts = Mutex((changes: 0, catchUps: 0, reloads: 0))

    init(_ workspace: MemoryWorkspace) {
        shared = workspace
    }

    /// Changes opened and catch-ups made so far.
    var changes: Int { counts.withLock { $0.changes } }
    var catchUps: Int { counts.withLock { $0.catchUps } }
    var reloads: Int { counts.withLock { $0.reloads } }

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
            switch shared.read(after: sequence) {
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
        return loop.makeCompletedFuture(shared.read(after: sequence).mapError { $0 as any Error })
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
        let me = ObjectIdentifier(self)
        let others = shared.state.withLock { state in
            state.events += events
            return state.wakes.filter { $0.key != me }.map(\.value)
        }
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

    func close() async {}
}
