import Foundation
import SyncTestSupport
import Testing

/// Another local user creates the victim's socket directory first, or a socket in a shared directory, and serves a
/// fake agent there. The victim's `syncctl` must refuse it before sending a byte, and say what to do.
@Suite("Only the owner's agent is trusted", .serialized)
struct SquatterTests {
    /// What every refusal must say: where to go instead.
    private func expectRefusal(_ result: RunningProcess.Result, mentioning fact: String) {
        #expect(result.status == 123, "\(result)")
        #expect(result.stdout == "", "\(result)")
        #expect(result.stderr.contains(fact), "\(result)")
        #expect(result.stderr.contains("XDG_RUNTIME_DIR") && result.stderr.contains("--socket-path"), "\(result)")
    }

    /// Stops the fake agent. - Returns: the byte counts of the connections it saw.
    private func bytesReceived(_ fake: RunningProcess) async -> [String] {
        fake.signal(SIGKILL)
        let output = await fake.finish().stdout
        return output.split(separator: "\n").filter { $0.hasPrefix("bytes ") }.map(String.init)
    }

    @Test(.enabled(if: Squatter.available, "needs root, setpriv, useradd, userdel and python3 to act as two users"))
    func aSquattedDefaultDirectoryIsRefusedBeforeAnythingIsSent() async throws {
        try await Squatter.withAccounts { try await squattedDefaultDirectory() }
    }

    private func squattedDefaultDirectory() async throws {
        let victim = try #require(Squatter.uid(of: Squatter.victim))
        let directory = "/tmp/sync-agent-\(victim)"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let fake = try await Squatter.startFakeAgent(socket: directory + "/agent.sock", mode: "755", scratch: scratch)
        for arguments in [["ping"], ["want", "claude", "git"], ["start", "claude"], ["complete", "git"]] {
            let result = try await Squatter.victimSyncctl(arguments)
            expectRefusal(result, mentioning: "socket directory \(directory) belongs to uid")
        }
        // sync-top connects through the same client code.
        let (top, topArguments) = Squatter.asUser(Squatter.victim, Products.path("sync-top"), ["--once"])
        let dashboard = try await RunningProcess.run(top, topArguments)
        #expect(dashboard.status != 0, "\(dashboard)")
        #expect(dashboard.stderr.contains("socket directory \(directory) belongs to uid"), "\(dashboard)")
        #expect(!dashboard.stderr.contains("is the agent running"), "not a hint for a missing agent: \(dashboard)")
        let seen = await bytesReceived(fake)
        #expect(seen.isEmpty, "the fake agent saw connections: \(seen)")
        // The victim's own agent refuses the directory too, and says what to do.
        let (executable, arguments) = Squatter.asUser(Squatter.victim, Products.path("sync-agent"), ["--ephemeral"])
        let agent = try await RunningProcess.run(executable, arguments)
        #expect(agent.status == 1, "\(agent)")
        #expect(agent.stderr.contains("belongs to uid") && agent.stderr.contains("XDG_RUNTIME_DIR"), "\(agent)")
    }

    @Test(.enabled(if: Squatter.available, "needs root, setpriv, useradd, userdel and python3 to act as two users"))
    func aSocketOfAnotherUserInASharedDirectoryIsRefusedByItsPeerUID() async throws {
        try await Squatter.withAccounts { try await socketOfAnotherUser() }
    }

    private func socketOfAnotherUser() async throws {
        // A directory anyone may create entries in, like /tmp: allowed, so only the server's uid can tell.
        let shared = TemporaryDirectory()
        defer { shared.remove() }
        chmod(shared.path, 0o1777)
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let socket = shared.file("agent.sock")
        let fake = try await Squatter.startFakeAgent(socket: socket, mode: "1777", scratch: scratch)
        let squatter = try #require(Squatter.uid(of: Squatter.squatter))
        for arguments in [["ping"], ["want", "claude", "git"], ["start", "claude"]] {
            let result = try await Squatter.victimSyncctl(arguments + ["--socket-path", socket])
            expectRefusal(result, mentioning: "served by uid \(squatter)")
        }
        let seen = await bytesReceived(fake)
        #expect(!seen.isEmpty, "the fake agent saw no connection at all")
        #expect(seen.allSatisfy { $0 == "bytes 0" }, "the fake agent received \(seen)")
    }

    @Test(.enabled(if: Squatter.available, "needs root, setpriv, useradd, userdel and python3 to act as two users"))
    func theVictimsOwnAgentIsStillReached() async throws {
        try await Squatter.withAccounts { try await victimsOwnAgent() }
    }

    private func victimsOwnAgent() async throws {
        let victim = try #require(Squatter.uid(of: Squatter.victim))
        let directory = "/tmp/sync-agent-\(victim)"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (executable, arguments) = Squatter.asUser(Squatter.victim, Products.path("sync-agent"), ["--ephemeral"])
        let agent = try RunningProcess(executable, arguments)
        await agent.waitForOutput(containing: "agent listening")
        let ping = try await Squatter.victimSyncctl(["ping"])
        #expect(ping.status == 0, "\(ping)")
        agent.signal(SIGTERM)
        _ = await agent.finish()
    }
}
