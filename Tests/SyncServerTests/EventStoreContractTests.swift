@preconcurrency import Glibc
import Logging
import NIOCore
import NIOPosix
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// What every ``EventStore`` promises, checked on both: events come back with the numbers they were given, a
/// compaction keeps the whole state, and a failed append reports what the store does hold.
@Suite("Event store contract")
struct EventStoreContractTests {
    enum Kind: String, CaseIterable, Sendable {
        case file, memory
    }

    /// A store of `kind`, and how to get a fresh look at what it holds (for the file: another store on the same
    /// journal, after this one closed, as a restarted agent would).
    private struct Subject {
        let store: any EventStore
        let reopen: () async throws -> StoredState
        let directory: TemporaryDirectory
    }

    private static let clock: UnitGraph.Clock = { Timestamp(microseconds: 1) }
    private let loop = MultiThreadedEventLoopGroup.singleton.next()

    private func subject(_ kind: Kind) -> Subject {
        let directory = TemporaryDirectory()
        switch kind {
        case .file:
            let path = directory.file("agent.journal")
            let store = FileJournalStore(path: path, clock: Self.clock, logger: Logger(label: "contract"))
            return Subject(
                store: store,
                reopen: {
                    await store.close()
                    // A child another test is spawning may hold a copy of the lock's descriptor until it execs.
                    let deadline = ContinuousClock.now + .seconds(5)
                    while true {
                        let again = FileJournalStore(path: path, clock: Self.clock, logger: Logger(label: "contract"))
                        do {
                            let state = try again.load()
                            await again.close()
                            return state
                        } catch let failure as StoreFailure
                            where failure.code == EWOULDBLOCK && ContinuousClock.now < deadline
                        {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }, directory: directory)
        case .memory:
            let store = InMemoryEventStore()
            return Subject(store: store, reopen: { try store.load() }, directory: directory)
        }
    }

    /// Runs `body` with a loaded store of `kind` and an empty graph that numbers the events, then cleans up.
    private func withLoadedStore(_ kind: Kind, _ body: (Subject, inout UnitGraph) async throws -> Void) async throws {
        let subject = subject(kind)
        defer { subject.directory.remove() }
        #expect(try subject.store.load().snapshot.sequence == 0)
        var graph = UnitGraph(clock: Self.clock)
        try await body(subject, &graph)
    }

    /// `want a b`, `complete a`… as the events a graph numbers.
    private func events(_ graph: inout UnitGraph, _ change: (inout UnitGraph) throws -> Void) throws
        -> [EncodedEvent]
    {
        try change(&graph)
        return graph.drainEvents().map { EncodedEvent(sequence: $0.sequence, json: $0.json.compact) }
    }

    @Test(arguments: Kind.allCases)
    func appendedEventsComeBackWithTheirNumbers(_ kind: Kind) async throws {
        try await withLoadedStore(kind) { subject, graph in
            let first = try events(&graph) { try $0.want("a", dependsOn: "b") }
            let second = try events(&graph) { try $0.complete("a") }
            for batch in [first, second] {
                guard case .durable = try await subject.store.append(batch, on: loop).get() else {
                    Issue.record("append of \(batch.map(\.sequence)) failed")
                    return
                }
            }
            let stored = try await subject.reopen()
            #expect(stored.snapshot == graph.snapshot)
            #expect(stored.events.map(\.sequence) == (first + second).map(\.sequence))
            #expect(stored.recordsSinceCompaction == first.count + second.count)
        }
    }

    @Test(arguments: Kind.allCases)
    func aCompactionKeepsTheWholeStateAndItsHistory(_ kind: Kind) async throws {
        try await withLoadedStore(kind) { subject, graph in
            let appended = try events(&graph) {
                try $0.want("a", dependsOn: "b")
                try $0.want("c", dependsOn: "a")
            }
            _ = try await subject.store.append(appended, on: loop).get()
            let history = Array(appended.suffix(1))
            try await subject.store.compact(
                instance: "feedfacefeedface", snapshot: graph.snapshot, history: history, on: loop
            )
            .get()
            let stored = try await subject.reopen()
            #expect(stored.instance == "feedfacefeedface")
            #expect(stored.snapshot == graph.snapshot)
            #expect(stored.events.map(\.sequence) == history.map(\.sequence))
            #expect(stored.recordsSinceCompaction == history.count + 1)
        }
    }

    @Test(arguments: Kind.allCases)
    func aFailedAppendReportsWhatTheStoreHolds(_ kind: Kind) async throws {
        try await withLoadedStore(kind) { subject, graph in
            let kept = try events(&graph) { try $0.want("a", dependsOn: "b") }
            let keptSnapshot = graph.snapshot
            let lost = try events(&graph) { try $0.complete("a") }
            _ = try await subject.store.append(kept, on: loop).get()
            switch subject.store {
            case let file as FileJournalStore: try await file.injectFailures(ENOSPC)
            case let memory as InMemoryEventStore:
                memory.failAppends(1, with: StoreFailure(description: "full", code: ENOSPC))
            default: Issue.record("unknown store")
            }
            guard case .failed(let failure, .success(let stored)) = try await subject.store.append(lost, on: loop).get()
            else {
                Issue.record("the append did not fail with the stored state")
                return
            }
            #expect(failure.code == ENOSPC)
            #expect(stored.snapshot == keptSnapshot)
            #expect(try await subject.reopen().snapshot == keptSnapshot)
        }
    }
}
