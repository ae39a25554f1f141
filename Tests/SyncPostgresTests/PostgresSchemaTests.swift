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

/// The schema's versions against a real server: a database an agent of version 1 made is migrated to the current
/// version with its events, and a change's lock waits until the previous writer's commit is visible.
@Suite("PostgreSQL schema")
struct PostgresSchemaTests {
    private static let clock: UnitGraph.Clock = { Timestamp(microseconds: 1) }
    private let loop = MultiThreadedEventLoopGroup.singleton.next()

    private func store(_ server: PostgresServer) throws -> PostgresEventStore {
        let address = try PostgresAddress(
            url: "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)")
        return PostgresEventStore(
            address: address, workspace: "test", password: nil, clock: Self.clock,
            logger: Logger(label: "postgres-schema-test"), idleTransactionTimeout: .seconds(120))
    }

    private func events(_ graph: inout UnitGraph, _ change: (inout UnitGraph) throws -> Void) throws -> [EncodedEvent] {
        try change(&graph)
        return graph.drainEvents().map { EncodedEvent($0) }
    }

    /// The tables exactly as an agent of `version` (1 by default) made them, holding `events` of workspace "test".
    private func makeVersion1(
        _ server: PostgresServer, holding events: [EncodedEvent], version: Int = 1
    ) async throws {
        let rows = events.map { "(1, \($0.sequence), $j$\($0.json)$j$, 'an agent of version \(version)')" }
        let script =
            ["BEGIN", "CREATE SCHEMA sync_agent", "CREATE TABLE sync_agent.schema_version (version integer NOT NULL)"]
            + PostgresSchema.migrations[..<version].flatMap { $0 }
            + [
                "INSERT INTO sync_agent.schema_version VALUES (\(version))",
                "INSERT INTO sync_agent.workspaces (name, instance, head) VALUES ('test', '0123456789abcdef', "
                    + "\(events.last?.sequence ?? 0))",
                "INSERT INTO sync_agent.events (workspace, seq, event, origin) VALUES " + rows.joined(separator: ", "),
                "COMMIT",
            ]
        let made = try await server.psql(["-v", "ON_ERROR_STOP=1", "-c", script.joined(separator: ";\n")])
        #expect(made.status == 0, "\(made)")
    }

    /// A new store on the workspace loads `graph`, with exactly `events`.
    private func expectReloaded(_ server: PostgresServer, as graph: UnitGraph, events: [EncodedEvent]) async throws {
        let again = try store(server)
        let reloaded = try again.load()
        await again.close()
        #expect(reloaded.snapshot == graph.snapshot)
        #expect(reloaded.events.map(\.sequence) == events.map(\.sequence))
    }

    @Test(.timeLimit(.minutes(3))) func aDatabaseOfVersion1IsMigratedWithItsEventsAndTakesChanges() async throws {
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            var graph = UnitGraph(clock: Self.clock)
            let old = try events(&graph) { try $0.want("app", dependsOn: "db") }
            try await makeVersion1(server, holding: old)
            let store = try store(server)
            let loaded = try store.load()
            #expect(loaded.events.map(\.sequence) == old.map(\.sequence))
            #expect(loaded.snapshot == graph.snapshot)
            let version = try await server.psql(["-tAc", "select version from sync_agent.schema_version"])
            #expect(version.stdout == "\(PostgresSchema.latestVersion)\n", "\(version)")
            #expect(PostgresSchema.latestVersion == 3)
            let functions = try await server.psql([
                "-tAc",
                "select string_agg(proname, ',' order by proname) from pg_proc p join pg_namespace n "
                    + "on n.oid = p.pronamespace where nspname = 'sync_agent'",
            ])
            #expect(functions.stdout == "append,append_if_head,end_change,lock_and_read\n", "\(functions)")
            // A change through the new functions goes on from the old events.
            #expect(try await store.beginChange(after: old.last!.sequence, on: loop).get().isEmpty)
            let new = try events(&graph) { _ = try $0.start("db", wait: nil) }
            guard case .durable = try await store.append(new, on: loop).get() else {
                Issue.record("the change after the migration was not stored")
                await store.close()
                return
            }
            await store.close()
            try await expectReloaded(server, as: graph, events: old + new)
            // The lock was released with the change, and no session keeps the lock's idle limit.
            let locks = try await server.psql(["-tAc", "select count(*) from pg_locks where locktype = 'advisory'"])
            #expect(locks.stdout == "0\n", "\(locks)")
        }
    }

    /// A database an agent of version 2 made (the functions of a change in two round trips) gains `append_if_head`,
    /// and the append without a change goes on from its events.
    @Test(.timeLimit(.minutes(3))) func aDatabaseOfVersion2IsMigratedAndTakesAnAppendWithoutAChange() async throws {
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            var graph = UnitGraph(clock: Self.clock)
            let old = try events(&graph) { try $0.want("app", dependsOn: "db") }
            try await makeVersion1(server, holding: old, version: 2)
            let store = try store(server)
            let loaded = try store.load()
            #expect(loaded.snapshot == graph.snapshot)
            let version = try await server.psql(["-tAc", "select version from sync_agent.schema_version"])
            #expect(version.stdout == "3\n", "\(version)")
            let new = try events(&graph) { _ = try $0.start("db", wait: nil) }
            guard case .stored = try await store.appendIfCurrent(new, on: loop).get() else {
                Issue.record("the append after the migration was declined")
                await store.close()
                return
            }
            await store.close()
            try await expectReloaded(server, as: graph, events: old + new)
        }
    }

    /// The lock is released just before the holder's commit; the next change must still read what that commit
    /// stored. A writer here updates `head` and inserts an event in a transaction it holds open (waiting for a lock
    /// of the test), without the workspace's lock: the change takes the lock at once, and must wait for that
    /// commit before it reads.
    @Test(.timeLimit(.minutes(3))) func aChangeReadsWhatTheWriterBeforeItCommittedOnceItCommits() async throws {
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            let store = try store(server)
            _ = try store.load()
            var graph = UnitGraph(clock: Self.clock)
            let written = try events(&graph) { try $0.want("app", dependsOn: "db") }
            func psql(_ script: String) throws -> RunningProcess {
                try RunningProcess(
                    server.binaries + "/psql",
                    ["-h", server.socketDirectory, "-U", server.user, "-d", "postgres", "-X"], stdin: script)
            }
            func count(_ query: String) async -> Bool {
                await eventually { (try? await server.psql(["-tAc", query]))?.stdout == "1\n" }
            }
            let gate = try psql("SELECT pg_advisory_lock(42);\nSELECT pg_sleep(600);\n")
            defer { gate.signal(SIGKILL) }
            #expect(await count("select count(*) from pg_locks where locktype = 'advisory' and objid = 42 and granted"))
            let rows = written.map { "(1, \($0.sequence), $j$\($0.json)$j$, 'psql')" }.joined(separator: ", ")
            let writer = try psql(
                "BEGIN;\nUPDATE sync_agent.workspaces SET head = \(written.last!.sequence);\n"
                    + "INSERT INTO sync_agent.events (workspace, seq, event, origin) VALUES \(rows);\n"
                    + "SELECT pg_advisory_lock(42);\nCOMMIT;\n")
            defer { writer.signal(SIGKILL) }
            #expect(
                await count(
                    "select count(*) from pg_stat_activity where query like '%pg_advisory_lock(42)%' "
                        + "and wait_event_type = 'Lock'"))
            let change = store.beginChange(after: 0, on: loop)
            #expect(
                await count(
                    "select count(*) from pg_stat_activity where application_name = '\(store.origin)' "
                        + "and wait_event_type = 'Lock'"))
            _ = try await server.psql([
                "-tAc",
                "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(600)%' "
                    + "and pid <> pg_backend_pid()",
            ])
            let seen = try await change.get()
            #expect(seen.map(\.sequence) == written.map(\.sequence))
            try await store.endChange(on: loop).get()
            await store.close()
        }
    }
}
