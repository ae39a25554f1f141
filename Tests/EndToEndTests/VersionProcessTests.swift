import SyncProtocol
import SyncTestSupport
import Testing

/// Versions through the built binaries: every executable's `--version`, and a `syncctl` newer than its agent.
@Suite("Versions through the built binaries")
struct VersionProcessTests {
    @Test(arguments: ["sync-agent", "syncctl", "sync-top", "sync-bench"])
    func everyExecutablePrintsTheProductVersion(executable: String) async throws {
        let result = try await RunningProcess.run(Products.path(executable), ["--version"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == ProtocolVersion.productVersion + "\n")
        #expect(result.stderr == "")
    }

    /// `syncctl note` against an agent that speaks only protocol 1 says so, with both versions, and exits 123 (the
    /// agent cannot serve it: as for an agent that refuses the client's protocol in hello); what the old agent
    /// does have keeps working.
    @Test func aNewerSyncctlNamesBothVersionsWhenItNeedsWhatTheAgentLacks() async throws {
        let agent = try ScriptedAgent.versionOne()
        defer { agent.stop() }
        let environment = ["SYNC_AGENT_SOCKET_PATH": agent.socketPath.path]
        let note = try await RunningProcess.run(
            Products.path("syncctl"), ["note", "web", "migrating"], environment: environment)
        #expect(note.status == 123, "\(note)")
        #expect(
            note.stderr
                == "error: note unit failed: syncctl \(ProtocolVersion.productVersion) needs protocol 2 for \"note\"; "
                + "the agent at \(agent.socketPath.path) (sync-agent \(ScriptedAgent.oldAgentVersion), pid "
                + "\(ScriptedAgent.oldAgentPID)) speaks only protocol 1: restart it with sync-agent "
                + "\(ProtocolVersion.productVersion)\n")
        #expect(note.stdout == "")
        let ping = try await RunningProcess.run(Products.path("syncctl"), ["ping"], environment: environment)
        #expect(ping.status == 0, "\(ping)")
    }

    /// `syncctl` and `sync-top` against an agent from before protocol 3 (one that refuses a hello of version 3):
    /// they say hello again in version 2 and work, with what version 2 has (a note).
    @Test func syncctlAndSyncTopFallBackToAnAgentOfVersionTwo() async throws {
        let agent = try await InProcessAgent.start(configure: { $0.protocolVersions = [1, 2] })
        let environment = ["SYNC_AGENT_SOCKET_PATH": agent.directory.socket]
        for command in [["want", "app", "db"], ["start", "db"], ["note", "db", "migrating"], ["complete", "db"]] {
            let result = try await RunningProcess.run(Products.path("syncctl"), command, environment: environment)
            #expect(result.status == 0, "\(command): \(result)")
        }
        let once = try await RunningProcess.run(Products.path("sync-top"), ["--once"], environment: environment)
        #expect(once.status == 0, "\(once)")
        #expect(once.stdout.contains("app") && once.stdout.contains("completed"), "\(once)")
        await agent.stop()
    }
}
