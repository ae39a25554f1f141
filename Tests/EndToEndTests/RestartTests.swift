import Foundation
import SyncTestSupport
import Testing

/// kill -9 of the agent in the middle of a start-up, then a restart: nothing is lost, no script notices more than a
/// short delay.
@Suite("Agent restarts")
struct RestartTests {
    private func startAgent(_ directory: TemporaryDirectory) async throws -> RunningProcess {
        let agent = try RunningProcess(Products.path("sync-agent"), ["--socket-path", directory.socket])
        await agent.waitForOutput(containing: "agent listening")
        return agent
    }

    private func syncctl(_ directory: TemporaryDirectory, _ arguments: [String]) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
    }

    @Test func killingTheAgentMidStartUpLosesNothing() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try await startAgent(directory)
        // 50 units in 5 layers of 10; each unit of a layer needs two units of the layer before.
        func name(_ layer: Int, _ index: Int) -> String { "l\(layer)-\(index)" }
        var runs: [(String, RunningProcess)] = []
        for layer in 0..<5 {
            for index in 0..<10 {
                var arguments = ["run", name(layer, index), "--timeout", "60s"]
                if layer > 0 {
                    arguments += ["--after", name(layer - 1, index), "--after", name(layer - 1, (index + 1) % 10)]
                }
                arguments += ["--", "sh", "-c", "sleep 0.1"]
                let process = try RunningProcess(
                    Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
                runs.append((name(layer, index), process))
            }
        }
        // Let the first two layers complete, then kill the agent without warning.
        let waited = try await syncctl(directory, ["wait", "--timeout", "60s"] + (0..<10).map { name(1, $0) })
        #expect(waited.status == 0, "\(waited)")
        first.signal(SIGKILL)
        _ = await first.finish()

        let second = try await startAgent(directory)
        // What was completed before the kill is still completed.
        let list = try await syncctl(directory, ["list"])
        for layer in 0..<2 {
            for index in 0..<10 {
                #expect(list.stdout.contains("\(name(layer, index))  completed"), "\(list.stdout)")
            }
        }
        // Every waiting or running script finishes as if nothing happened, with at most one line of note.
        for (unit, run) in runs {
            let result = await run.finish()
            #expect(result.status == 0, "\(unit): \(result)")
            let notes = result.stderr.split(separator: "\n").filter { $0.contains("lost the agent") }
            #expect(notes.count <= 1, "\(unit): \(result.stderr)")
            #expect(!result.stderr.contains("error:"), "\(unit): \(result.stderr)")
        }
        let final = try await syncctl(directory, ["list", "-o", "json"])
        #expect(final.stdout.components(separatedBy: "\"completed\"").count - 1 == 50, "\(final.stdout)")
        second.signal(SIGTERM)
        _ = await second.finish()
    }
}
