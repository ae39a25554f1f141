import Foundation
import SyncClient
import SyncCore
import SyncOS
import SyncProtocol
import SyncTestSupport
import Synchronization
import Testing

/// `sync-agent --retention N` against a real PostgreSQL: the workspace keeps N events behind its snapshot, bad values
/// are refused before anything starts, and an agent cut off while another wrote more than that reloads the snapshot
/// by itself, keeping its parked start and its subscriber.
@Suite("The shared store's retention", .timeLimit(.minutes(4)))
struct SharedRetentionTests {
    private static func url(_ server: PostgresServer, user: String? = nil) -> String {
        "postgres:///postgres?host=\(server.socketDirectory)&user=\(user ?? server.user)"
    }

    /// Starts an agent on `server`'s workspace `shared` and waits until it listens.
    private static func agent(
        _ socket: String, _ server: PostgresServer, retention: String, user: String? = nil
    ) async throws -> RunningProcess {
        let agent = try RunningProcess(
            Products.path("sync-agent"),
            [
                "--socket-path", socket, "--store", url(server, user: user), "--workspace", "shared", "--retention",
                retention,
            ])
        await agent.waitForOutput(containing: "agent listening")
        return agent
    }

    private static func client(_ socket: String) async throws -> SyncClient {
        try await SyncClient.connect(to: SocketPath(path: socket, source: .flag), client: "retention-test")
    }

    /// `select …` over the workspace's rows, one line `a|b|c`.
    private static func query(_ server: PostgresServer, _ sql: String) async throws -> [Int] {
        let result = try await server.psql(["-tAc", sql])
        #expect(result.status == 0, "\(result)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map {
            Int($0) ?? -1
        }
    }

    @Test func aSmallRetentionBoundsTheEventsTable() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            let agent = try await Self.agent(directory.socket, server, retention: "5")
            let client = try await Self.client(directory.socket)
            try await client.want("app", dependsOn: ["db"])
            _ = try await client.start("db")
            for step in 1...40 { _ = try await client.note("db", "step \(step)") }
            client.close()
            let rows = try await Self.query(
                server, "select (select seq from sync_agent.snapshots), count(*), max(seq) from sync_agent.events")
            // 44 events. A snapshot is due every max(2 × 5, 4 × (2 units + 1 edge)) = 12 events, keeping 5 behind
            // it: at most 5 + 12 + 1 rows (the standard retention would have kept all 44).
            #expect(rows.count == 3 && rows[2] == 44, "\(rows)")
            #expect(rows[0] >= 36 && rows[1] <= 18, "\(rows)")
            agent.signal(SIGTERM)
            #expect(await agent.finish().status == 0)
        }
    }

    @Test(
        arguments: [
            (["--retention", "0"], [:], "--retention must be a whole number of events from 1 to 100000000"),
            (["--retention", "lots"], [:], #"not "lots""#),
            ([], ["SYNC_AGENT_RETENTION": "-3"], "SYNC_AGENT_RETENTION must be a whole number of events"),
            (["--retention", "100000001"], [:], "from 1 to 100000000"),
        ] as [([String], [String: String], String)])
    func aBadRetentionIsRefusedBeforeAnythingStarts(
        arguments: [String], environment: [String: String], message: String
    ) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let result = try await RunningProcess.run(
            Products.path("sync-agent"),
            ["--socket-path", directory.socket, "--store", "postgres:///nowhere?host=/nonexistent"] + arguments,
            environment: environment)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains(message), "\(result)")
    }

    @Test func theRetentionNeedsAStoreAndIsInTheHelp() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let result = try await RunningProcess.run(
            Products.path("sync-agent"), ["--socket-path", directory.socket, "--retention", "5"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("--retention needs --store"), "\(result)")
        let help = try await RunningProcess.run(Products.path("sync-agent"), ["--help"])
        #expect(help.stdout.contains("--retention <events>") && help.stdout.contains("SYNC_AGENT_RETENTION"))
    }

    /// Agent B is cut off from the server (its role may no longer log in, its sessions are ended) while agent A
    /// writes more events than the retention keeps. Healed, B finds the events it needs deleted and reloads the
    /// snapshot without a restart: its parked start is released, it accepts changes, and its subscriber ends with
    /// the graph A has.
    @Test func anAgentBehindTheRetentionReloadsTheSnapshotByItself() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            let role = try await server.psql(["-c", "CREATE ROLE hostb LOGIN SUPERUSER"])
            #expect(role.status == 0, "\(role)")
            let (socketA, socketB) = (directory.file("a.sock"), directory.file("b.sock"))
            let agentA = try await Self.agent(socketA, server, retention: "5")
            let agentB = try await Self.agent(socketB, server, retention: "5", user: "hostb")
            let writer = try await Self.client(socketA)
            defer { writer.close() }
            try await writer.want("app", dependsOn: ["db"])
            let environment = ["SYNC_AGENT_SOCKET_PATH": socketB, "SYNC_AGENT_AUTOSTART": "0"]
            let parked = try RunningProcess(Products.path("syncctl"), ["start", "app"], environment: environment)
            // A subscriber on B, through the client library (protocol 3).
            let subscriber = try await Self.client(socketB)
            defer { subscriber.close() }
            #expect(await eventually { (try? await subscriber.status("app").info?.waiters) == 1 })
            let items = Mutex<[StreamItem]>([])
            let following = Task { try await subscriber.follow { item in items.withLock { $0.append(item) } } }
            defer { following.cancel() }
            #expect(await eventually { items.withLock { !$0.isEmpty } })

            let cut = try await server.psql([
                "-c", "ALTER ROLE hostb NOLOGIN",
                "-c", "select pg_terminate_backend(pid) from pg_stat_activity where usename = 'hostb'",
            ])
            #expect(cut.status == 0, "\(cut)")
            await agentB.waitForOutput(containing: "shared store unreachable")
            _ = try await writer.start("db")
            for step in 1...40 { _ = try await writer.note("db", "step \(step)") }
            try await writer.complete("db")
            let kept = try await Self.query(server, "select min(seq) from sync_agent.events")
            #expect((kept.first ?? 0) > 10, "the events B needs were not deleted: \(kept)")

            let heal = try await server.psql(["-c", "ALTER ROLE hostb LOGIN"])
            #expect(heal.status == 0, "\(heal)")
            await agentB.waitForOutput(containing: "shared workspace reloaded; this agent serves changes again")
            let started = await parked.finish()
            #expect(started.status == 0, "\(started)")
            let want = try await RunningProcess.run(
                Products.path("syncctl"), ["want", "web", "app"], environment: environment)
            #expect(want.status == 0, "\(want)")
            #expect(agentB.outputSoFar.contains("fell behind the shared store's retention"))

            // The subscriber's graph: its last snapshot and the events after it, as A has it.
            let expected = try await writer.snapshot()
            let caughtUp = await eventually {
                items.withLock { items in
                    guard let last = items.last, case .event(let event, _) = last else { return false }
                    return event.sequence == expected.sequence
                }
            }
            #expect(caughtUp, "the subscriber did not reach #\(expected.sequence)")
            var graph: UnitGraph?
            for item in items.withLock({ $0 }) {
                switch item {
                case .snapshot(_, let snapshot): graph = UnitGraph(snapshot: snapshot, clock: { Timestamp() })
                case .event(let event, _): graph?.replay(event)
                case .store: break
                }
            }
            let seen = try #require(graph?.snapshot)
            #expect(seen.units.map(\.name) == expected.units.map(\.name))
            #expect(seen.units.map(\.status) == expected.units.map(\.status))
            #expect(seen.units.first { $0.name == "app" }?.status == .started)
            #expect(items.withLock { $0.filter { if case .snapshot = $0 { true } else { false } }.count } == 2)

            for agent in [agentA, agentB] {
                agent.signal(SIGTERM)
                #expect(await agent.finish().status == 0)
            }
        }
    }
}
