import Foundation
import SyncTestSupport
import Testing

/// `sync-agent --store postgres://…` as a process against a real PostgreSQL server: the graph survives a restart of
/// the agent, agents on one workspace share it, a server that goes away refuses changes and loses nothing acknowledged, and
/// URLs that must not be used are refused.
@Suite("sync-agent with a PostgreSQL store")
struct PostgresStoreProcessTests {
    /// The store URL of `server`: its private socket directory, or its loopback port.
    private func url(_ server: PostgresServer, tcp: Bool = false) -> String {
        tcp
            ? "postgres://\(server.user)@127.0.0.1:\(server.port)/postgres"
            : "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)"
    }

    private func startAgent(
        _ directory: TemporaryDirectory, _ socket: String, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> RunningProcess {
        try RunningProcess(
            Products.path("sync-agent"), ["--socket-path", directory.file(socket)] + arguments,
            environment: environment)
    }

    private func syncctl(_ directory: TemporaryDirectory, _ socket: String, _ arguments: String...) async throws
        -> RunningProcess.Result
    {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": directory.file(socket)])
    }

    /// `list` as `unit status` pairs.
    private func statuses(_ directory: TemporaryDirectory, _ socket: String) async throws -> [String] {
        let list = try await syncctl(directory, socket, "list")
        return list.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
    }

    @Test(arguments: [false, true])
    func theGraphIsBackAfterARestartOfTheAgent(_ tcp: Bool) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer(loopback: tcp).run { server in
            await server.waitUntilAcceptingConnections()
            let store = ["--store", url(server, tcp: tcp), "--workspace", "e2e"]
            let agent = try startAgent(directory, "a.sock", store)
            await agent.waitForOutput(containing: "agent listening")
            #expect(try await syncctl(directory, "a.sock", "want", "app", "db").status == 0)
            #expect(try await syncctl(directory, "a.sock", "start", "db").status == 0)
            #expect(try await syncctl(directory, "a.sock", "complete", "db").status == 0)
            #expect(try await syncctl(directory, "a.sock", "start", "app").status == 0)
            agent.signal(SIGTERM)
            let stopped = await agent.finish()
            #expect(stopped.status == 0, "\(stopped)")
            #expect(stopped.stderr.contains("store tables created"), "\(stopped)")

            // Through the environment this time.
            let again = try startAgent(
                directory, "a.sock", [],
                environment: ["SYNC_AGENT_STORE": url(server, tcp: tcp), "SYNC_AGENT_WORKSPACE": "e2e"])
            await again.waitForOutput(containing: "agent listening")
            let rows = try await statuses(directory, "a.sock")
            #expect(rows.contains("db completed"), "\(rows)")
            #expect(rows.contains("app started"), "\(rows)")
            again.signal(SIGTERM)
            let last = await again.finish()
            #expect(!last.stderr.contains("store tables created"), "\(last)")
            let stored = try await server.psql(["-tAc", "select count(*) > 0 from sync_agent.events"])
            #expect(stored.stdout == "t\n", "\(stored)")
        }
    }

    @Test func aSecondAgentOnTheSameWorkspaceSharesItsGraphAndAnotherWorkspaceIsApart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            let store = ["--store", url(server), "--workspace", "shared"]
            let first = try startAgent(directory, "one.sock", store)
            await first.waitForOutput(containing: "agent listening")
            let second = try startAgent(directory, "two.sock", store)
            await second.waitForOutput(containing: "agent listening")
            // Another workspace on the same database is a graph of its own.
            let other = try startAgent(directory, "three.sock", ["--store", url(server), "--workspace", "other"])
            await other.waitForOutput(containing: "agent listening")
            #expect(try await syncctl(directory, "one.sock", "start", "git").status == 0)
            let again = try await syncctl(directory, "two.sock", "start", "git")
            #expect(again.status == 1, "\(again)")
            #expect(again.stderr.contains("same status already set"), "\(again)")
            #expect(try await syncctl(directory, "three.sock", "start", "git").status == 0)
            for agent in [first, second, other] {
                agent.signal(SIGTERM)
                _ = await agent.finish()
            }
        }
    }

    @Test func aServerStoppedMidwayRefusesChangesThenAcceptsThemAgainAndLosesNothingAcknowledged() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            let store = ["--store", url(server), "--workspace", "outage"]
            let agent = try startAgent(directory, "a.sock", store)
            await agent.waitForOutput(containing: "agent listening")
            #expect(try await syncctl(directory, "a.sock", "want", "app", "db").status == 0)
            #expect(try await syncctl(directory, "a.sock", "start", "db").status == 0)
            #expect(try await syncctl(directory, "a.sock", "complete", "db").status == 0)

            await server.stop()
            let refused = try await syncctl(directory, "a.sock", "start", "cache")
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stderr.contains("cannot store changes: the shared store postgres://"), "\(refused)")
            // Reads keep working meanwhile.
            #expect(try await statuses(directory, "a.sock").contains("db completed"))
            let stillRefused = try await syncctl(directory, "a.sock", "want", "web", "app")
            #expect(stillRefused.status == 1, "\(stillRefused)")
            #expect(
                stillRefused.stderr.contains("refuses changes until it reaches it again"), "\(stillRefused)")

            try server.start()
            await agent.waitForOutput(containing: "changes are accepted again")
            #expect(try await syncctl(directory, "a.sock", "start", "cache").status == 0)
            #expect(try await syncctl(directory, "a.sock", "complete", "cache").status == 0)
            agent.signal(SIGTERM)
            _ = await agent.finish()

            let again = try startAgent(directory, "a.sock", store)
            await again.waitForOutput(containing: "agent listening")
            let rows = try await statuses(directory, "a.sock")
            #expect(rows.contains("db completed"), "\(rows)")
            #expect(rows.contains("cache completed"), "\(rows)")
            #expect(!rows.contains { $0.hasPrefix("web ") }, "\(rows)")
            again.signal(SIGTERM)
            _ = await again.finish()
        }
    }

    @Test func anUnreachableServerAtStartIsAClearErrorAndExit1() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let url = "postgres:///postgres?host=\(directory.path)&user=nobody"
        let agent = try startAgent(directory, "a.sock", ["--store", url])
        let result = await agent.finish()
        #expect(result.status == 1, "\(result)")
        #expect(
            result.stderr.contains("cannot connect to PostgreSQL at postgres://nobody@/postgres?host="), "\(result)")
        #expect(result.stderr.contains("workspace \"default\""), "\(result)")
        #expect(result.stderr.contains("Check that the server runs"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("a.sock")))
    }

    @Test func helpDocumentsTheStoreFlags() async throws {
        let help = try await RunningProcess.run(Products.path("sync-agent"), ["--help"])
        #expect(help.status == 0, "\(help)")
        for text in ["--store <url>", "--workspace <name>", "$SYNC_AGENT_STORE", "$SYNC_AGENT_WORKSPACE", "PGPASSWORD"]
        {
            #expect(help.stdout.contains(text), "\(text): \(help)")
        }
    }

    @Test func aURLWithAPasswordIsRefusedBeforeAnythingStarts() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        for arguments in [["--store", "postgres://ci:hunter2@127.0.0.1/graphs"]] {
            let result = await (try startAgent(directory, "a.sock", arguments)).finish()
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("carries a password"), "\(result)")
            #expect(result.stderr.contains("PGPASSWORD"), "\(result)")
            #expect(!result.stderr.contains("hunter2"), "\(result)")
        }
        let fromEnvironment = await
            (try startAgent(
                directory, "a.sock", [], environment: ["SYNC_AGENT_STORE": "postgres://ci:hunter2@127.0.0.1/graphs"]))
            .finish()
        #expect(fromEnvironment.status == 2, "\(fromEnvironment)")
        #expect(fromEnvironment.stderr.contains("carries a password"), "\(fromEnvironment)")
        let both = await (try startAgent(directory, "a.sock", ["--store", "postgres:///x", "--ephemeral"])).finish()
        #expect(both.status == 2, "\(both)")
        #expect(both.stderr.contains("--store excludes --ephemeral and --state-file"), "\(both)")
    }
}
