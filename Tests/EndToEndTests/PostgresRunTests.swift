import Foundation
import SyncTestSupport
import Testing

/// `syncctl run db --ready notify -- postgres …`: Debian's PostgreSQL says READY=1 once it accepts connections, so a
/// dependent `syncctl run app --after db -- psql … -c 'select 1'` connects the first time, every time. The agent,
/// both `syncctl run`s, PostgreSQL and psql all run as the server's user (`postgres` when the tests run as root), as
/// one user's workspace would: `run`'s notify socket is private to the user who runs it, and an agent serves only
/// its own user.
@Suite("PostgreSQL under syncctl run")
struct PostgresRunTests {
    @Test func aDependentPsqlConnectsOnceDebiansPostgresIsReadyEveryTime() async throws {
        let server = try await PostgresServer()
        defer { server.remove() }
        let syncctl = try server.install(Products.path("syncctl"))
        let agentBinary = try server.install(Products.path("sync-agent"))
        let socket = try server.privateDirectory("agent") + "/s"
        let environment = ["SYNC_AGENT_SOCKET_PATH": socket]
        let (program, arguments) = server.asServerUser([agentBinary, "--socket-path", socket, "--ephemeral"])
        let agent = try RunningProcess(program, arguments, environment: environment)
        defer { agent.signal(SIGTERM) }
        await agent.waitForOutput(containing: "agent listening")
        guard access(socket, F_OK) == 0 else {
            Issue.record("the agent did not start: \(await agent.finish())")
            return
        }
        let psql = [server.binaries + "/psql", "-h", server.socketDirectory, "-U", server.user, "-d", "postgres"]
        for round in 1...3 {
            let db = try spawn(
                server,
                [syncctl, "run", "db-\(round)", "--ready", "notify", "--ready-timeout", "60s", "--"]
                    + server.serverCommand, environment)
            let app: RunningProcess.Result
            do {
                let command = [syncctl, "run", "app-\(round)", "--after", "db-\(round)", "--"] + psql
                app = try await spawn(server, command + ["-XtAc", "select 1"], environment).finish()
            } catch {
                db.signal(SIGINT)
                _ = await db.finish()
                throw error
            }
            #expect(app.status == 0, "round \(round): \(app)")
            #expect(app.stdout == "1\n", "round \(round): \(app)")
            // SIGINT to run reaches PostgreSQL (a fast shutdown), which exits 0: the unit stays completed.
            db.signal(SIGINT)
            let served = await db.finish()
            #expect(served.status == 0, "round \(round): \(served)")
            #expect(served.stderr.contains("Unit \"db-\(round)\" ready after"), "round \(round): \(served)")
        }
    }

    private func spawn(
        _ server: PostgresServer, _ command: [String], _ environment: [String: String]
    ) throws -> RunningProcess {
        let (program, arguments) = server.asServerUser(command)
        return try RunningProcess(program, arguments, environment: environment)
    }
}
