import Foundation
import SyncTestSupport
import Testing

/// Several `sync-agent`s on one PostgreSQL store and workspace, each on its own socket as if on its own host,
/// serving one graph: changes on one are seen and wake waiters on the others, atomic start and the cycle check hold
/// across them, a failure reaches every waiter, and a server that goes away refuses changes without losing any.
@Suite("Agents sharing one graph through PostgreSQL", .timeLimit(.minutes(3)))
struct SharedGraphTests {
    /// Agents on `server`'s workspace `workspace`, one socket each (`a.sock`, `b.sock`…).
    final class Agents: Sendable {
        let directory: TemporaryDirectory
        let processes: [RunningProcess]

        init(_ count: Int, server: PostgresServer, workspace: String, directory: TemporaryDirectory) async throws {
            self.directory = directory
            let url = "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)"
            var processes: [RunningProcess] = []
            for index in 0..<count {
                let socket = directory.file(Self.socket(index))
                processes.append(
                    try RunningProcess(
                        Products.path("sync-agent"),
                        ["--socket-path", socket, "--store", url, "--workspace", workspace]))
            }
            for process in processes { await process.waitForOutput(containing: "agent listening") }
            self.processes = processes
        }

        static func socket(_ index: Int) -> String { String(UnicodeScalar(UInt8(97 + index))) + ".sock" }

        /// Runs `syncctl` against agent `index`.
        func syncctl(_ index: Int, _ arguments: String...) async throws -> RunningProcess.Result {
            try await run(index, arguments)
        }

        func run(_ index: Int, _ arguments: [String]) async throws -> RunningProcess.Result {
            try await RunningProcess.run(
                Products.path("syncctl"), arguments,
                environment: ["SYNC_AGENT_SOCKET_PATH": directory.file(Self.socket(index))])
        }

        /// Starts `syncctl` against agent `index` and returns at once.
        func spawn(_ index: Int, _ arguments: String...) throws -> RunningProcess {
            try RunningProcess(
                Products.path("syncctl"), arguments,
                environment: ["SYNC_AGENT_SOCKET_PATH": directory.file(Self.socket(index))])
        }

        /// Stops every agent. - Returns: their results.
        func stop() async -> [RunningProcess.Result] {
            var results: [RunningProcess.Result] = []
            for process in processes {
                process.signal(SIGTERM)
                results.append(await process.finish())
            }
            return results
        }
    }

    /// Runs `body` with `count` agents on a fresh server, stopping them afterwards whatever `body` does.
    func withAgents(
        _ count: Int, workspace: String = "shared", _ body: (Agents, PostgresServer) async throws -> Void
    ) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            let agents = try await Agents(count, server: server, workspace: workspace, directory: directory)
            var failure: (any Error)?
            do { try await body(agents, server) } catch { failure = error }
            let results = await agents.stop()
            for result in results { #expect(result.status == 0, "\(result)") }
            if let failure { throw failure }
        }
    }

    @Test func aChangeOnOneAgentIsSeenOnTheOthersAndWakesTheirWaiters() async throws {
        try await withAgents(3) { agents, _ in
            #expect(try await agents.syncctl(0, "want", "app", "db").status == 0)
            // A parked start on b and a parked wait on c, for what a declared.
            let start = try agents.spawn(1, "start", "app")
            let wait = try agents.spawn(2, "wait", "app")
            await start.waitForOutput(containing: "aiting for")
            #expect(try await agents.syncctl(2, "start", "db").status == 0)
            #expect(try await agents.syncctl(0, "complete", "db").status == 0)
            let started = await start.finish()
            #expect(started.status == 0, "\(started)")
            // Read on another host right after the change: it is there.
            let status = try await agents.syncctl(2, "status", "app")
            #expect(status.stdout.contains("started"), "\(status)")
            #expect(try await agents.syncctl(1, "complete", "app").status == 0)
            let waited = await wait.finish()
            #expect(waited.status == 0, "\(waited)")
            let hello = try await agents.syncctl(1, "list", "-o", "json")
            #expect(hello.stdout.contains("\"app\""), "\(hello)")
        }
    }

    @Test func exactlyOneOfManyStartsOfOneUnitWinsAcrossAgents() async throws {
        try await withAgents(3) { agents, _ in
            let results = try await withThrowingTaskGroup(of: RunningProcess.Result.self) { group in
                for index in 0..<90 {
                    group.addTask { try await agents.syncctl(index % 3, "start", "migrate") }
                }
                var results: [RunningProcess.Result] = []
                for try await result in group { results.append(result) }
                return results
            }
            let winners = results.filter { $0.status == 0 }
            #expect(winners.count == 1, "\(winners)")
            for loser in results where loser.status != 0 {
                #expect(loser.stderr.contains("same status already set"), "\(loser)")
            }
        }
    }

    @Test func aCycleDeclaredInTwoHalvesOnTwoAgentsAtOnceIsRefused() async throws {
        try await withAgents(2) { agents, _ in
            for round in 0..<5 {
                let (first, second) = ("a\(round)", "b\(round)")
                async let one = agents.syncctl(0, "want", first, second)
                async let two = agents.syncctl(1, "want", second, first)
                let results = try await [one, two]
                #expect(results.filter { $0.status == 0 }.count == 1, "\(results)")
                #expect(results.contains { $0.stderr.contains("cycle") }, "\(results)")
            }
        }
    }

    @Test func aFailureOnOneAgentReleasesWaitersOnTheOthersWithTheChain() async throws {
        try await withAgents(3) { agents, _ in
            #expect(try await agents.syncctl(0, "want", "app", "api").status == 0)
            #expect(try await agents.syncctl(0, "want", "api", "db").status == 0)
            let start = try agents.spawn(1, "start", "app")
            let wait = try agents.spawn(2, "wait", "api")
            await start.waitForOutput(containing: "aiting for")
            #expect(try await agents.syncctl(0, "fail", "db", "--reason", "disk full").status == 0)
            let refused = await start.finish()
            #expect(refused.status != 0, "\(refused)")
            #expect(refused.stderr.contains("db"), "\(refused)")
            #expect(refused.stderr.contains("disk full"), "\(refused)")
            let failed = await wait.finish()
            #expect(failed.status != 0, "\(failed)")
            #expect(failed.stderr.contains("api"), "\(failed)")
        }
    }

    @Test func aServerStoppedWhileAgentsRunRefusesChangesThenWakesWaitersAndLosesNothing() async throws {
        try await withAgents(2) { agents, server in
            #expect(try await agents.syncctl(0, "want", "app", "db").status == 0)
            let wait = try agents.spawn(1, "wait", "db")
            await wait.waitForOutput(containing: "aiting for")
            await server.stop()
            let refused = try await agents.syncctl(0, "start", "db")
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stderr.contains("cannot be reached"), "\(refused)")
            // Reads answer from the agent's copy meanwhile.
            let list = try await agents.syncctl(1, "list")
            #expect(list.status == 0, "\(list)")
            #expect(list.stdout.contains("app"), "\(list)")
            try server.start()
            await server.waitUntilAcceptingConnections()
            for process in agents.processes {
                await process.waitForOutput(containing: "changes are accepted again")
            }
            #expect(try await agents.syncctl(0, "start", "db").status == 0)
            #expect(try await agents.syncctl(0, "complete", "db").status == 0)
            let woken = await wait.finish()
            #expect(woken.status == 0, "\(woken)")
            let stored = try await server.psql([
                "-tAc",
                "select count(*) from sync_agent.events where event->>'kind' = 'status_changed' "
                    + "and event->>'to' = 'completed'",
            ])
            #expect(stored.stdout == "1\n", "\(stored)")
        }
    }
}
