import Testing
import Foundation
import SyncTestSupport

/// What several attack tests on a shared store do alike.
enum AttackSupport {
    /// Starts `sync-agent` on `socket` with the store `url`, workspace `w`, and `extra` arguments, and waits until it
    /// listens (or ended).
    static func agent(_ socket: String, store url: String, _ extra: [String] = []) async throws -> RunningProcess {
        let agent = try RunningProcess(
            Products.path("sync-agent"), ["--socket-path", socket, "--store", url, "--workspace", "w"] + extra)
        await agent.waitForOutput(containing: "agent listening")
        return agent
    }

    /// Runs `command` again while the agent refuses it because it has not reached its store again yet (it retries
    /// after 1 s, 2 s, then every 4 s, and sends no signal when it does), for up to 30 s. A refused change stores
    /// nothing, so asking again is safe. - Returns: the last result.
    static func onceReachable(
        _ command: () async throws -> RunningProcess.Result
    ) async throws -> RunningProcess.Result {
        var result = try await command()
        let giveUp = Date().addingTimeInterval(30)
        while result.status != 0 && result.stderr.contains("cannot be reached") && Date() < giveUp {
            try await Task.sleep(for: .milliseconds(250))
            result = try await command()
        }
        return result
    }
}

/// Every attack suite, one at a time: each starts many agents, servers and killed processes, and eleven of them at
/// once beside the rest of the suite stalled the machine for long enough to fail tests timed against the agent's own
/// 10 s deadlines.
@Suite("Attacks", .serialized)
enum AttackSuites {}
