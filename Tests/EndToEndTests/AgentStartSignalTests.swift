import Foundation
import SyncTestSupport
import Testing

/// SIGTERM stops the agent whenever it comes, also while the agent starts: a script that starts an agent (or
/// autostart) and stops it at once must never find it still running. Once the agent watches its stop signals it
/// stops cleanly (exit 0, socket removed); before that, the signal's default action ends it.
@Suite("a stop signal while the agent starts")
struct AgentStartSignalTests {
    @Test func aSigtermAtAnyMomentOfTheStartEndsTheAgent() async throws {
        for round in 0..<24 {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            let agent = try RunningProcess(
                Products.path("sync-agent"), ["--socket-path", directory.socket, "--ephemeral"])
            if round.isMultiple(of: 3) {
                // Right after it says it listens: what a script that started it sees first.
                await agent.waitForOutput(containing: "agent listening")
            } else {
                // Somewhere in its start: parsing, binding, loading, installing its watchers.
                try await Task.sleep(for: .microseconds(Int.random(in: 0...40_000)))
            }
            agent.signal(SIGTERM)
            let ended = await eventually(seconds: 10) { agent.hasEnded }
            if !ended {
                agent.signal(SIGKILL)
                Issue.record("round \(round): SIGTERM was ignored; the agent ran on:\n\(agent.outputSoFar)")
            }
            let result = await agent.finish()
            #expect([0, 128 + SIGTERM].contains(result.status), "round \(round): \(result)")
            if result.status == 0 {
                #expect(!FileManager.default.fileExists(atPath: directory.socket), "round \(round): socket left")
            }
        }
    }
}
