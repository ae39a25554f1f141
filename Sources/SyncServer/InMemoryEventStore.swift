import NIOCore
import Synchronization
import SyncCore
import SyncProtocol

/// An ``EventStore`` that keeps everything in memory, for tests: it follows the store's contract (events in sequence
/// order, completions on the loop after the call returned) and lets a test hold appends back or make them fail, as a
/// slow or unavailable store would.
///
/// Nothing survives the process; ``state`` is what another agent loading the same store would find.
final class InMemoryEventStore: EventStore, Sendable {
    private struct Storage {
        var instance: String
        var snapshot: GraphSnapshot
        var events: [EncodedEvent] = []
        var recordsSinceCompaction = 0
        /// Appends still to fail, and how.
        var failures: [StoreFailure] = []
        /// Appends are held back until ``releaseHeld()`` while this is set.
        var holding = false
        var held: [() -> Void] = []
        var appends = 0
    }

    private let storage: Mutex<Storage>

    /// An empty store, or one that starts with `snapshot` (as if compacted).
    init(
        instance: String = "0123456789abcdef",
        snapshot: GraphSnapshot = GraphSnapshot(sequence: 0, units: [], edges: [])
    ) {
        storage = Mutex(Storage(instance: instance, snapshot: snapshot))
    }

    var location: String { "memory" }

    func load() throws(StoreFailure) -> StoredState {
        state
    }

    /// What the store holds: its snapshot with every stored event replayed over it.
    var state: StoredState {
        storage.withLock { storage in
            var graph = UnitGraph(snapshot: storage.snapshot, clock: { Timestamp(microseconds: 0) })
            var events: [SyncEvent] = []
            for stored in storage.events {
                guard let json = try? JSON.parse(stored.json), let event = SyncEvent(json: json) else { continue }
                if event.sequence == graph.nextSequence { graph.replay(event) }
                events.append(event)
            }
            return StoredState(
                instance: storage.instance, snapshot: graph.snapshot, events: events,
                recordsSinceCompaction: storage.recordsSinceCompaction)
        }
    }

    /// Number of appends asked for so far.
    var appendCount: Int { storage.withLock { $0.appends } }

    /// The next `count` appends fail with `failure` and store nothing.
    func failAppends(_ count: Int = 1, with failure: StoreFailure = StoreFailure(description: "store unavailable")) {
        storage.withLock { $0.failures += Array(repeating: failure, count: count) }
    }

    /// From now on appends complete only when ``releaseHeld()`` is called.
    func holdAppends() {
        storage.withLock { $0.holding = true }
    }

    /// Completes the appends held back, in order, and stops holding.
    func releaseHeld() {
        let held = storage.withLock { storage in
            storage.holding = false
            defer { storage.held = [] }
            return storage.held
        }
        held.forEach { $0() }
    }

    func append(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<EventStoreAppend> {
        let promise = loop.makePromise(of: EventStoreAppend.self)
        let complete: @Sendable () -> Void = { [self] in
            let outcome = store(events)
            let stored: Result<StoredState, StoreFailure> = .success(state)
            loop.execute {
                switch outcome {
                case nil: promise.succeed(.durable)
                case let failure?: promise.succeed(.failed(failure, stored: stored))
                }
            }
        }
        let heldBack = storage.withLock { storage in
            storage.appends += 1
            if storage.holding { storage.held.append(complete) }
            return storage.holding
        }
        if !heldBack { complete() }
        return promise.futureResult
    }

    /// Stores `events` unless a failure is due or they do not follow the last stored event.
    /// - Returns: why they were not stored.
    private func store(_ events: [EncodedEvent]) -> StoreFailure? {
        storage.withLock { storage in
            if !storage.failures.isEmpty { return storage.failures.removeFirst() }
            let last = max(storage.events.last?.sequence ?? 0, storage.snapshot.sequence)
            if let first = events.first, first.sequence != last + 1 {
                return StoreFailure(description: "in-memory store: event \(first.sequence) does not follow \(last)")
            }
            storage.events += events
            storage.recordsSinceCompaction += events.count
            return nil
        }
    }

    func compact(
        instance: String, snapshot: GraphSnapshot, history: [EncodedEvent], on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        let failure = storage.withLock { storage -> StoreFailure? in
            if !storage.failures.isEmpty { return storage.failures.removeFirst() }
            storage.instance = instance
            storage.snapshot = snapshot
            storage.events = history
            storage.recordsSinceCompaction = history.count + 1
            return nil
        }
        return loop.submit {
            if let failure { throw failure }
        }
    }

    func close() async {}
}
