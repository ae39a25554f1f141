import NIOCore
import SyncCore
import SyncServer
import SyncTestSupport
import Testing

@testable import SyncPostgres

/// The notifications that carry their change's events, and the append that needs no open change (schema version
/// 3's `append_if_head`), against a real server: what the cross-agent wake's one round trip relies on.
extension PostgresEventStoreTests {
    /// The events another store's notifications carried, taken on the store's loop as the agent takes them.
    private func notified(_ store: PostgresEventStore, after sequence: UInt64) async throws -> [SyncEvent]? {
        try await store.storeLoop.submit { store.notifiedEvents(after: sequence) }.get()
    }

    /// Two stores on one workspace, loaded, and the notifications the one at index `heard` gets. Their statements
    /// may wait for the test's steps (a loaded machine can stretch those past the agent's 10 s).
    private func twoStores(
        _ server: PostgresServer, heard: Int
    ) throws -> (PostgresEventStore, PostgresEventStore, AsyncStream<Void>) {
        let stores = try (
            store(server, operationTimeout: .seconds(120)), store(server, operationTimeout: .seconds(120))
        )
        _ = try stores.0.load()
        _ = try stores.1.load()
        let (woken, wake) = AsyncStream<Void>.makeStream()
        (heard == 0 ? stores.0 : stores.1).listen { wake.yield() }
        return (stores.0, stores.1, woken)
    }

    /// Two stores on one workspace, loaded; the first stores what `change` records in a change of its own, and the
    /// second is notified. - Returns: the stores and the events stored.
    private func notifiedChange(
        _ server: PostgresServer, _ change: (inout UnitGraph) throws -> Void
    ) async throws -> (first: PostgresEventStore, second: PostgresEventStore, stored: [EncodedEvent]) {
        let (first, second, woken) = try twoStores(server, heard: 1)
        var graph = UnitGraph(clock: Self.clock)
        #expect(try await first.beginChange(after: 0, on: loop).get().isEmpty)
        let stored = try events(&graph, change)
        guard case .durable = try await append(first, stored) else {
            Issue.record("the change did not commit")
            return (first, second, [])
        }
        for await _ in woken { break }
        return (first, second, stored)
    }

    @Test(.timeLimit(.minutes(3))) func aChangesNotificationCarriesItsEventsToTheOtherStores() async throws {
        try await withServer { server in
            let (first, second, declared) = try await notifiedChange(server) { try $0.want("app", dependsOn: "db") }
            let carried = try await notified(second, after: 0)
            #expect(carried?.map(\.sequence) == declared.map(\.sequence))
            #expect(carried.map { $0.map { EncodedEvent($0).json } } == declared.map(\.json))
            #expect(second.origins(of: ["app"]) == [first.origin])
            // Taken: nothing more until the next notification.
            #expect(try await notified(second, after: declared.last!.sequence) == [])
        }
    }

    @Test(.timeLimit(.minutes(3))) func aChangeTooLargeForAPayloadMakesTheOtherStoresReadIt() async throws {
        try await withServer { server in
            let (_, second, declared) = try await notifiedChange(server) { graph in
                for index in 0..<60 {
                    try graph.want("unit-with-a-rather-long-name-\(index)", dependsOn: "a-dependency-named-at-length")
                }
            }
            #expect(declared.map(\.json.utf8.count).reduce(0, +) > PostgresNotice.maxBytes)
            // Until the store is read: asking again does not make the agent current.
            #expect(try await notified(second, after: 0) == nil)
            #expect(try await notified(second, after: 0) == nil)
            #expect(try await second.catchUp(after: 0, on: loop).get().count == declared.count)
            #expect(try await notified(second, after: declared.last!.sequence) == [])
        }
    }

    /// The store listens before its first read, on the same connection: a change committed after the read is
    /// notified, one committed before it is in the read. (It listened after, and a change in between was neither.)
    @Test(.timeLimit(.minutes(3))) func theStoreListensBeforeItReadsTheWorkspace() async throws {
        try await withServer { server in
            let logged = try await server.psql(["-c", "ALTER ROLE \(server.user) SET log_statement = 'all'"])
            #expect(logged.status == 0, "\(logged)")
            let store = try store(server)
            _ = try store.load()
            await store.close()
            let log = try #require(await server.stop()).stderr
            let listened = try #require(log.range(of: "LISTEN \"sync_agent_"), "no LISTEN in the log:\n\(log)")
            let read = try #require(log.range(of: "REPEATABLE READ READ ONLY"), "no read in the log:\n\(log)")
            #expect(listened.lowerBound < read.lowerBound, "\(log)")
        }
    }

    /// A notification that comes while the store's first read runs may or may not be in that read: it goes into no
    /// mirror, and the agent is told to read the store, which then covers it. (Before, it met an empty mirror.)
    @Test(.timeLimit(.minutes(3))) func aNotificationDuringTheFirstReadMakesTheAgentReadTheStore() async throws {
        try await withServer { server in
            let (first, _, _) = try twoStores(server, heard: 1)
            var graph = UnitGraph(clock: Self.clock)
            #expect(try await first.beginChange(after: 0, on: loop).get().isEmpty)
            let stored = try events(&graph) { try $0.want("app", dependsOn: "db") }
            guard case .durable = try await append(first, stored) else {
                Issue.record("the change did not commit")
                return
            }
            let late = try store(server)
            let notice = PostgresNotice(payload: PostgresNotice.payload(sender: "another agent #1", events: stored))
            try await late.storeLoop.submit { late.received(notice) }.get()
            _ = try late.load()
            #expect(try await notified(late, after: stored.last!.sequence) == nil)
            #expect(try await late.catchUp(after: stored.last!.sequence, on: loop).get().isEmpty)
            #expect(try await notified(late, after: stored.last!.sequence) == [])
        }
    }

    /// The append without a change waits for the lock a change holds, then finds `head` moved by that change's
    /// append and stores nothing; on the moved head it stores, and the first store is told with the events.
    @Test(.timeLimit(.minutes(3))) func anAppendWithoutAChangeStoresOnlyOnTheHeadItExpects() async throws {
        try await withServer { server in
            let (first, second, woken) = try twoStores(server, heard: 0)
            var graph = UnitGraph(clock: Self.clock)
            var other = graph
            #expect(try await first.beginChange(after: 0, on: loop).get().isEmpty)
            let declared = try events(&graph) { try $0.want("app", dependsOn: "db") }
            let competing = try events(&other) { try $0.want("web", dependsOn: "db") }
            let waiting = second.appendIfCurrent(competing, on: loop)
            let blocked = await eventually {
                (try? await server.psql([
                    "-tAc", "select count(*) from pg_locks where locktype = 'advisory' and not granted",
                ]))?.stdout == "1\n"
            }
            #expect(blocked, "the append did not wait for the change's lock")
            guard case .durable = try await append(first, declared) else {
                Issue.record("the change did not commit")
                return
            }
            guard case .declined = try await waiting.get() else {
                Issue.record("the append on a moved head stored its events")
                return
            }
            let stored = try await reload(server)
            #expect(stored.snapshot == graph.snapshot)
            // On the head it expects (the notification brought the first store's events into its mirror).
            _ = try await second.catchUp(after: 0, on: loop).get()
            var current = UnitGraph(clock: Self.clock)
            for event in stored.events { current.replay(event) }
            let next = try events(&current) { _ = try $0.start("db", wait: nil) }
            guard case .stored = try await second.appendIfCurrent(next, on: loop).get() else {
                Issue.record("the append on the current head was declined")
                return
            }
            for await _ in woken { break }
            #expect(try await notified(first, after: declared.last!.sequence)?.map(\.sequence) == next.map(\.sequence))
            #expect(try await reload(server).snapshot == current.snapshot)
            let locks = try await server.psql(["-tAc", "select count(*) from pg_locks where locktype = 'advisory'"])
            #expect(locks.stdout == "0\n", "\(locks)")
        }
    }
}

/// ``PostgresNotice``: the payload's form, without a server.
@Suite("PostgreSQL notification payload")
struct PostgresNoticeTests {
    private let events = [
        EncodedEvent(sequence: 8, json: #"{"seq":8,"kind":"registered","unit":"a"}"#),
        EncodedEvent(sequence: 9, json: #"{"seq":9,"kind":"registered","unit":"b"}"#),
    ]

    @Test func aPayloadCarriesTheSenderAndTheEventsWithTheirNumbers() {
        let payload = PostgresNotice.payload(sender: "sync-agent pid 7 on host #1f", events: events)
        let notice = PostgresNotice(payload: payload)
        #expect(notice.sender == "sync-agent pid 7 on host #1f")
        #expect(notice.origin == "sync-agent pid 7 on host")
        #expect(notice.events?.map(\.sequence) == [8, 9])
        #expect(notice.events?.map(\.json) == events.map(\.json))
    }

    @Test func eventsTooLargeOrAnOlderAgentsPayloadCarryOnlyTheSender() {
        let large = [EncodedEvent(sequence: 1, json: String(repeating: "x", count: PostgresNotice.maxBytes))]
        #expect(PostgresNotice.payload(sender: "s #1", events: large) == "s #1")
        #expect(PostgresNotice.payload(sender: "s #1", events: []) == "s #1")
        let older = PostgresNotice(payload: "sync-agent pid 7 on host #1f")
        #expect(older.events == nil)
        #expect(older.sender == "sync-agent pid 7 on host #1f")
    }
}
