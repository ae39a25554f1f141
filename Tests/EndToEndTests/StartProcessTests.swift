import Foundation
import SyncTestSupport
import Testing

/// `syncctl start` as a script runs it, waiting on its one thread: it still goes on as the full client does when
/// the agent goes away and comes back. (That it is one thread: `CommandLineTests`.)
@Suite("syncctl start, the process")
struct StartProcessTests {
    @Test func aParkedStartKeepsWaitingAcrossAnAgentKilledAndRestartedWithItsJournal() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let arguments = ["--socket-path", directory.socket]
        let first = try RunningProcess(Products.path("sync-agent"), arguments)
        await first.waitForOutput(containing: "agent listening")
        let environment = ["SYNC_AGENT_SOCKET_PATH": directory.socket]
        let syncctl = Products.path("syncctl")
        _ = try await RunningProcess.run(syncctl, ["want", "app", "db"], environment: environment)
        let start = try RunningProcess(syncctl, ["start", "app", "--timeout", "60s"], environment: environment)
        await start.waitForOutput(containing: "is waiting")
        first.signal(SIGKILL)
        _ = await first.finish()
        let second = try RunningProcess(Products.path("sync-agent"), arguments)
        defer { second.signal(SIGTERM) }
        await second.waitForOutput(containing: "agent listening")
        _ = try await RunningProcess.run(syncctl, ["start", "db"], environment: environment)
        _ = try await RunningProcess.run(syncctl, ["complete", "db"], environment: environment)
        let result = await start.finish()
        #expect(result.status == 0, "\(result)")
        // The waiting line once, the end once, and one note on stderr about the lost agent.
        #expect(
            result.stdout == "Unit \"app\" is waiting for dependencies to be satisfied: [db]\n"
                + "Unit \"app\" finished waiting for dependencies: [db]\n", "\(result)")
        let notes = result.stderr.split(separator: "\n")
        #expect(notes.count == 1 && notes[0].contains("lost the agent at \(directory.socket)"), "\(result)")
        #expect(notes.first?.hasSuffix("reconnecting, still waiting") == true, "\(result)")
    }
}
