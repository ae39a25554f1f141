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
}
