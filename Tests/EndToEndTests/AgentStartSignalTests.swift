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

    /// A SIGTERM that comes while the agent reads a long journal, with a client already trying to connect: the
    /// agent stops once it has read it (exit 0, socket removed), however short the time between its start and its
    /// stop. Such an agent once hung in `sigsuspend` ("Cannot schedule tasks on an EventLoop that has already shut
    /// down"): its wait for the stop began after the stop was over.
    @Test func aSigtermWhileTheJournalLoadsStopsTheAgentOnceLoaded() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("journal")
        var lines = [#"{"journal":"sync-agent","version":1,"instance":"0123456789abcdef"}"#]
        for unit in 1...40_000 {
            lines.append(#"{"seq":\#(unit),"time_us":\#(unit),"kind":"registered","unit":"u\#(unit)"}"#)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: journal, atomically: false, encoding: .utf8)
        for round in 0..<3 {
            let agent = try RunningProcess(
                Products.path("sync-agent"), ["--socket-path", directory.socket, "--state-file", journal])
            // The lock is taken once the stop signals are watched, just before the journal is read.
            #expect(await eventually { FileManager.default.fileExists(atPath: journal + ".lock") || agent.hasEnded })
            let client = Task { try? await syncctlUntilAnswered(directory.socket) }
            agent.signal(SIGTERM)
            let ended = await eventually(seconds: 60) { agent.hasEnded }
            if !ended {
                agent.signal(SIGKILL)
                Issue.record("round \(round): the agent did not stop after SIGTERM:\n\(agent.outputSoFar)")
            }
            client.cancel()
            let result = await agent.finish()
            #expect(result.status == 0, "round \(round): \(result)")
            #expect(!FileManager.default.fileExists(atPath: directory.socket), "round \(round): socket left")
            #expect(!result.stderr.contains("Cannot schedule tasks"), "round \(round): \(result.stderr)")
            // The lock file stays; the next round waits for the next agent's.
            unlink(journal + ".lock")
        }
    }

    /// `syncctl ping` again and again until it gets through or the task is cancelled.
    private func syncctlUntilAnswered(_ socket: String) async throws {
        while !Task.isCancelled {
            let result = try await RunningProcess.run(
                Products.path("syncctl"), ["ping", "--socket-path", socket])
            if result.status == 0 { return }
        }
    }
}
