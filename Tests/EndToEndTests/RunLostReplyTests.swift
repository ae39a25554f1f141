import Foundation
import SyncCore
import SyncProtocol
import SyncTestSupport
import Synchronization
import Testing

/// `syncctl run` reports its command's end again after losing the agent, on a new connection. When the agent had
/// recorded the first report before it went away (its journal is synced before it answers), the repeat is refused
/// with `same_status`: the unit already has the status run reports, so run succeeds (it exited 1 with "same status
/// already set", which a full run under load once showed when the agent was killed at that moment).
@Suite("run after a lost reply")
struct RunLostReplyTests {
    /// An agent that records the first report and hangs up before answering it, then refuses the repeat with
    /// `same_status`, as a restarted agent with the journal does.
    private func agent(refusing type: String) throws -> ScriptedAgent {
        let reports = Mutex(0)
        return try ScriptedAgent { id, request in
            switch request["type"]?.stringValue {
            case "start":
                let info = StartInfo(unit: "db", dependencies: [], unsatisfiedAtStart: [], waited: false)
                return [ServerMessage.ok(id, .start(info)).json.compact]
            case type:
                let first = reports.withLock { count in
                    defer { count += 1 }
                    return count == 0
                }
                if first { return [ScriptedAgent.hangUp] }
                let error = WireError(.sameStatus, "checking status for unit \"db\": same status already set")
                return [ServerMessage.error(id, error).json.compact]
            default:
                return []
            }
        }
    }

    @Test func aCompletionRecordedBeforeTheAgentWentAwayIsASuccess() async throws {
        let agent = try agent(refusing: "complete")
        defer { agent.stop() }
        let result = try await RunningProcess.run(
            Products.path("syncctl"), ["run", "db", "--", "true"],
            environment: ["SYNC_AGENT_SOCKET_PATH": agent.directory.socket])
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("error:"), "\(result)")
        #expect(agent.requests.filter { $0["type"] == "complete" }.count == 2)
    }

    @Test func aFailureRecordedBeforeTheAgentWentAwayKeepsTheCommandsStatus() async throws {
        let agent = try agent(refusing: "fail")
        defer { agent.stop() }
        let result = try await RunningProcess.run(
            Products.path("syncctl"), ["run", "db", "--", "sh", "-c", "exit 3"],
            environment: ["SYNC_AGENT_SOCKET_PATH": agent.directory.socket])
        #expect(result.status == 3, "\(result)")
        #expect(result.stderr.contains("Unit \"db\" failed: exit 3"), "\(result)")
        #expect(!result.stderr.contains("error:"), "\(result)")
    }
}
