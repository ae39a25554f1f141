@preconcurrency import Glibc
import Logging
import NIOCore
import NIOPosix
import SyncCore
import SyncServer
import SyncTestSupport
import Synchronization
import Testing

@testable import SyncPostgres

/// The PostgreSQL store against a real server (``PostgresServer``): the contract every store keeps (events back with
/// their numbers, a compaction keeps the whole state, a failed append reports what is stored), its schema, two
/// stores sharing one workspace, and a server that goes away and comes back.
@Suite("PostgreSQL event store")
struct PostgresEventStoreTests {
    static let clock: UnitGraph.Clock = { Timestamp(microseconds: 1) }
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    /// Every store a test opened, closed when it ends.
    let opened = Opened()

    final class Opened: Sendable {
        let stores = Mutex<[PostgresEventStore]>([])
    }

    func store(
        _ server: PostgresServer, workspace: String = "test", retention: SharedRetention = .standard,
        operationTimeout: TimeAmount = .seconds(10)
    ) throws -> PostgresEventStore {
        let address = try PostgresAddress(
            url: "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)")
        let store = PostgresEventStore(
            address: address, workspace: workspace, password: nil, clock: Self.clock,
            logger: Logger(label: "postgres-store-test"), operationTimeout: operationTimeout, retention: retention,
            // The tests hold changes open across their own awaits, which a loaded machine can stretch past the
            // agent's 5 s (the server would end the session and with it the lock the test relies on).
            idleTransactionTimeout: .seconds(120))
        opened.stores.withLock { $0.append(store) }
        return store
    }

    /// Runs `body` with a fresh running server, then closes every store the test opened (postgres-nio asserts, in
    /// debug builds, that a connection is closed before it goes away), whatever `body` does.
    func withServer(_ body: (PostgresServer) async throws -> Void) async throws {
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            var failure: (any Error)?
            do { try await body(server) } catch { failure = error }
            for store in opened.stores.withLock({ $0 }) { await store.close() }
            if let failure { throw failure }
        }
    }

    /// What a restarted agent would find: a new store on the same workspace, loaded and closed.
    func reload(_ server: PostgresServer, workspace: String = "test") async throws -> StoredState {
        let again = try store(server, workspace: workspace)
        let state = try again.load()
        await again.close()
        return state
    }

    func events(_ graph: inout UnitGraph, _ change: (inout UnitGraph) throws -> Void) throws -> [EncodedEvent] {
        try change(&graph)
        return graph.drainEvents().map { EncodedEvent($0) }
    }

    func append(_ store: PostgresEventStore, _ events: [EncodedEvent]) async throws -> EventStoreAppend {
        try await store.append(events, on: loop).get()
    }

    @Test func appendedEventsComeBackWithTheirNumbersAndACompactionKeepsTheWholeState() async throws {
        try await withServer { server in
            let store = try store(server)
            let loaded = try store.load()
            #expect(loaded.snapshot.sequence == 0)
            #expect(loaded.events.isEmpty)
            var graph = UnitGraph(clock: Self.clock)
            let first = try events(&graph) { try $0.want("app", dependsOn: "db") }
            let second = try events(&graph) { try $0.complete("app") }
            for batch in [first, second] {
                guard case .durable = try await append(store, batch) else {
                    Issue.record("append of \(batch.map(\.sequence)) failed")
                    return
                }
            }
            await store.close()
            let stored = try await reload(server)
            #expect(stored.instance == loaded.instance)
            #expect(stored.snapshot == graph.snapshot)
            #expect(stored.events.map(\.sequence) == (first + second).map(\.sequence))
            #expect(stored.recordsSinceCompaction == first.count + second.count)

            let again = try self.store(server)
            _ = try again.load()
            let third = try events(&graph) { try $0.want("web", dependsOn: "app") }
            guard case .durable = try await append(again, third) else {
                Issue.record("append after a restart failed")
                return
            }
            let history = Array(third.suffix(1))
            try await again.compact(instance: "feedfacefeedface", snapshot: graph.snapshot, history: history, on: loop)
                .get()
            await again.close()
            let compacted = try await reload(server)
            #expect(compacted.instance == "feedfacefeedface")
            #expect(compacted.snapshot == graph.snapshot)
            #expect(compacted.events.map(\.sequence) == history.map(\.sequence))
            #expect(compacted.recordsSinceCompaction == history.count + 1)
            let rows = try await server.psql(["-tAc", "select count(*) from sync_agent.events"])
            #expect(rows.stdout == "\(history.count)\n", "\(rows)")
        }
    }

    @Test func theAgentCreatesTheSchemaOnceAndRefusesOneNewerThanItKnows() async throws {
        try await withServer { server in
            _ = try await reload(server)
            let version = try await server.psql(["-tAc", "select version from sync_agent.schema_version"])
            #expect(version.stdout == "\(PostgresSchema.latestVersion)\n", "\(version)")
            // A second start on the existing tables, and on another workspace, changes nothing else.
            _ = try await reload(server)
            _ = try await reload(server, workspace: "other")
            let again = try await server.psql(["-tAc", "select count(*), max(version) from sync_agent.schema_version"])
            #expect(again.stdout == "1|\(PostgresSchema.latestVersion)\n", "\(again)")
            let workspaces = try await server.psql(["-tAc", "select name from sync_agent.workspaces order by name"])
            #expect(workspaces.stdout == "other\ntest\n", "\(workspaces)")

            _ = try await server.psql(["-c", "update sync_agent.schema_version set version = 99"])
            let newer = try store(server)
            #expect {
                _ = try newer.load()
            } throws: { error in
                "\(error)".contains(
                    "are at version 99, newer than this sync-agent knows (\(PostgresSchema.latestVersion)): upgrade sync-agent"
                )
            }
            await newer.close()
        }
    }

    @Test(.timeLimit(.minutes(3))) func twoStoresOnOneWorkspaceShareItOneChangeAtATime() async throws {
        try await withServer { server in
            let first = try store(server)
            let second = try store(server)
            _ = try first.load()
            _ = try second.load()
            let (woken, wake) = AsyncStream<Void>.makeStream()
            second.listen { wake.yield() }
            var graph = UnitGraph(clock: Self.clock)
            #expect(try await first.beginChange(after: 0, on: loop).get().isEmpty)
            let declared = try events(&graph) { try $0.want("app", dependsOn: "db") }
            // The second store's change waits for the first one's lock.
            let waiting = second.beginChange(after: 0, on: loop)
            guard case .durable = try await append(first, declared) else {
                Issue.record("the first store's change did not commit")
                return
            }
            let seen = try await waiting.get()
            #expect(seen.map(\.sequence) == declared.map(\.sequence))
            var mirror = UnitGraph(clock: Self.clock)
            for event in seen { mirror.applyForeign(event) }
            #expect(mirror.snapshot == graph.snapshot)
            try await second.endChange(on: loop).get()
            // The notification reached the second store; a catch-up after the last event reads nothing.
            for await _ in woken { break }
            #expect(try await second.catchUp(after: declared.last!.sequence, on: loop).get().isEmpty)
            #expect(second.storeAddress.hasPrefix("postgres://"))
        }
    }

    @Test(.timeLimit(.minutes(3))) func aSharedWorkspaceKeepsASnapshotAndOnlyTheEventsBehindItsRetention()
        async throws
    {
        try await withServer { server in
            let retention = SharedRetention(snapshotEvery: 10, keptEvents: 4)
            let writer = try store(server, retention: retention)
            let lagging = try store(server, retention: retention)
            _ = try writer.load()
            _ = try lagging.load()
            var graph = UnitGraph(clock: Self.clock)
            for _ in 0..<8 {
                #expect(try await writer.beginChange(after: graph.nextSequence - 1, on: loop).get().isEmpty)
                let batch = try events(&graph) {
                    _ = try $0.start("app", wait: nil)
                    try $0.complete("app")
                }
                guard case .durable = try await append(writer, batch) else {
                    Issue.record("append of \(batch.map(\.sequence)) failed")
                    return
                }
            }
            // 17 events: the change that reached 10 (events 10 and 11) wrote the snapshot at 11 and kept 4 behind it.
            #expect(graph.nextSequence == 18)
            let rows = try await server.psql([
                "-tAc",
                "select (select seq from sync_agent.snapshots), min(seq), max(seq), count(*) from sync_agent.events",
            ])
            #expect(rows.stdout == "11|8|17|10\n", "\(rows)")
            // A new agent loads the snapshot and the events after it; those before it are its timeline.
            let state = try await reload(server)
            #expect(state.snapshot == graph.snapshot)
            #expect(state.events.map(\.sequence) == Array(8...17))
            // An agent that fell behind the retention finds its next events gone, and reloads the workspace.
            do {
                _ = try await lagging.catchUp(after: 0, on: loop).get()
                Issue.record("the lagging store caught up over deleted events")
            } catch let gap as SharedStoreGap {
                #expect(gap.expected == 1 && gap.found == 8, "\(gap)")
            }
            let reloaded = try await lagging.reload(on: loop).get()
            #expect(reloaded.snapshot == graph.snapshot)
            #expect(reloaded.events.map(\.sequence) == Array(8...17))
            #expect(try await lagging.catchUp(after: 17, on: loop).get().isEmpty)
        }
    }

    @Test func anAppendAfterAnotherWritersFailsWithWhatTheDatabaseHolds() async throws {
        try await withServer { server in
            let store = try store(server)
            _ = try store.load()
            var graph = UnitGraph(clock: Self.clock)
            let kept = try events(&graph) { try $0.want("app", dependsOn: "db") }
            let keptSnapshot = graph.snapshot
            _ = try await append(store, kept)
            // Another writer stored an event after the last one (its row is not needed for the check).
            _ = try await server.psql(["-c", "update sync_agent.workspaces set head = head + 1"])
            let lost = try events(&graph) { try $0.complete("app") }
            guard case .failed(let failure, .success(let stored)) = try await append(store, lost) else {
                Issue.record("the append did not fail with the stored state")
                return
            }
            #expect(failure.description.contains("another writer stored events after event \(kept.last!.sequence)"))
            #expect(stored.snapshot == keptSnapshot)
            await store.close()
        }
    }

    @Test func aServerThatGoesAwayFailsTheAppendWithTheCommittedStateAndACompactionReconnects() async throws {
        try await withServer { server in
            let store = try store(server)
            _ = try store.load()
            var graph = UnitGraph(clock: Self.clock)
            let kept = try events(&graph) { try $0.want("app", dependsOn: "db") }
            let keptSnapshot = graph.snapshot
            _ = try await append(store, kept)
            await server.stop()
            let lost = try events(&graph) { try $0.complete("app") }
            guard case .failed(let failure, .success(let stored)) = try await append(store, lost) else {
                Issue.record("the append did not fail with the committed state")
                return
            }
            #expect(failure.description.contains("cannot store event"), "\(failure)")
            #expect(stored.snapshot == keptSnapshot)
            // Still down: the compaction fails and leaves the store as it was.
            await #expect(throws: StoreFailure.self) {
                try await store.compact(instance: "0123456789abcdef", snapshot: keptSnapshot, history: [], on: loop)
                    .get()
            }
            try server.start()
            await server.waitUntilAcceptingConnections()
            var recovered = UnitGraph(snapshot: keptSnapshot, clock: Self.clock)
            try await store.compact(instance: "0123456789abcdef", snapshot: keptSnapshot, history: [], on: loop)
                .get()
            let after = try events(&recovered) { try $0.complete("app") }
            guard case .durable = try await append(store, after) else {
                Issue.record("the append after the reconnection failed")
                return
            }
            await store.close()
            #expect(try await reload(server).snapshot == recovered.snapshot)
        }
    }
}
