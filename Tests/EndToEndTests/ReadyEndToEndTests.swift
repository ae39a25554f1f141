import Foundation
import SyncTestSupport
import Testing

/// `syncctl ready` through the built binaries: a unit completes when its service's checks pass, fails (skipping
/// what waits for it) when they do not pass in time, and bad checks are usage errors.
@Suite("ready through the binaries")
struct ReadyEndToEndTests {
    /// `--probe-max 500ms`: in 2.5 s a closed port is probed about 11 times (5 ms doubling up to 500 ms), where
    /// the default 25 ms cap would make about 100 attempts; the agent's last report says how many were made.
    @Test func probeMaxSlowsTheProbing() async throws {
        try await withAgentProcess { agent in
            let result = try await agent.syncctl(
                "ready", "db", "--when", "tcp:1", "--timeout", "2500ms", "--probe-max", "500ms")
            #expect(result.status == 124, "\(result)")
            let list = try await agent.syncctl("list", "-o", "json").stdout
            let units = try #require(try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]])
            let readiness = try #require(units.first?["readiness"] as? [String: Any], "\(list)")
            let attempts = try #require(readiness["attempts"] as? Int)
            // At least one report after the first (sent at attempt 1), and far fewer than the default makes.
            #expect(attempts >= 5 && attempts <= 15, "\(list)")
        }
    }

    @Test func aFileCreatedLaterCompletesTheUnit() async throws {
        try await withAgentProcess { agent in
            let flag = agent.directory.file("ready.flag")
            let ready = try agent.spawn("ready", "svc", "--when", "file:\(flag)", "--timeout", "60s")
            await ready.waitForOutput(containing: "waiting until ready")
            #expect(try await agent.syncctl("status", "svc").stdout.contains("Status: started\n"))
            #expect(FileManager.default.createFile(atPath: flag, contents: Data()))
            let result = await ready.finish()
            #expect(result.status == 0, "\(result)")
            #expect(
                result.stdout == "Unit \"svc\" started; waiting until ready: file:\(flag)\n"
                    + "Unit \"svc\" ready (file:\(flag))\n")
            #expect(try await agent.syncctl("status", "svc").stdout.contains("Status: completed\n"))
        }
    }

    @Test func notReadyInTimeFailsTheUnitAndSkipsItsDependents() async throws {
        try await withAgentProcess { agent in
            #expect(try await agent.syncctl("want", "app", "db").status == 0)
            // Port 1 on the loopback: nothing listens there, so every attempt is refused.
            let result = try await agent.syncctl("ready", "db", "--when", "tcp:1", "--timeout", "200ms")
            #expect(result.status == 124)
            #expect(
                result.stderr
                    == "error: unit \"db\" not ready after 200ms: tcp 127.0.0.1:1: connection refused; it is marked "
                    + "failed\n")
            let status = try await agent.syncctl("status", "db").stdout
            #expect(status.contains("Status: failed\n"))
            // The attempts reached the agent as readiness reports before the failure.
            #expect(status.contains("Readiness: ") && status.contains("tcp:127.0.0.1:1"), "\(status)")
            #expect(try await agent.syncctl("status", "app").stdout.contains("Status: skipped\n"))
        }
    }

    @Test(arguments: [["ready", "web"], ["ready", "web", "--when", "notify"], ["ready", "web", "--when", "tcp:0"]])
    func badChecksAreUsageErrors(arguments: [String]) async throws {
        try await withAgentProcess { agent in
            let result = try await RunningProcess.run(
                Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("Error: "), "\(result.stderr)")
            #expect(try await agent.syncctl("list").stdout == "No units registered\n")
        }
    }
}
