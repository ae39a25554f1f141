import Foundation
import SyncCore
import SyncProtocol
import SyncTestSupport
import Synchronization
import Testing

/// `syncctl run --ready` keeps one connection to the agent while its service runs: the progress reports and the
/// completion go over it, so being ready is one request on an open connection (no connect, no hello between the
/// service's signal and its dependents' release). When that connection is lost, the message goes over a new one.
@Suite("run --ready keeps its connection")
struct RunKeptConnectionTests {
    /// Where the service's ready flag goes: the agent creates it when it gets the first readiness report, so the
    /// service is not ready before run has reported once.
    private let place = TemporaryDirectory()
    private var flag: String { place.file("ready-flag") }

    /// An agent that answers what `run --ready` sends; `hangUpOnReadiness` closes the connection of the first
    /// readiness report instead of answering it.
    private func agent(hangUpOnReadiness: Bool = false) throws -> ScriptedAgent {
        let reports = Mutex(0)
        let flag = self.flag
        return try ScriptedAgent { id, request in
            switch request["type"]?.stringValue {
            case "start":
                let info = StartInfo(unit: "db", dependencies: [], unsatisfiedAtStart: [], waited: false)
                return [ServerMessage.ok(id, .start(info)).json.compact]
            case "readiness":
                let first = reports.withLock { count in
                    defer { count += 1 }
                    return count == 0
                }
                if first { FileManager.default.createFile(atPath: flag, contents: nil) }
                if first && hangUpOnReadiness { return [ScriptedAgent.hangUp] }
                return [ServerMessage.ok(id, .readiness).json.compact]
            case "complete":
                return [ServerMessage.ok(id, .complete).json.compact]
            default:
                return []
            }
        }
    }

    private func runService(_ agent: ScriptedAgent) async throws -> RunningProcess.Result {
        // The service ends once it is ready (a service that ran its course).
        let service = "while [ ! -e '\(flag)' ]; do sleep 0.01; done"
        return try await RunningProcess.run(
            Products.path("syncctl"), ["run", "db", "--ready", "file:\(flag)", "--", "sh", "-c", service],
            environment: ["SYNC_AGENT_SOCKET_PATH": agent.directory.socket])
    }

    private func count(_ type: String, in agent: ScriptedAgent) -> Int {
        agent.requests.filter { $0["type"]?.stringValue == type }.count
    }

    @Test func reportsAndTheCompletionShareOneConnection() async throws {
        let agent = try agent()
        defer {
            agent.stop()
            place.remove()
        }
        let result = try await runService(agent)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("Unit \"db\" ready after"), "\(result)")
        #expect(count("complete", in: agent) == 1)
        #expect(count("readiness", in: agent) >= 1)
        // One connection for the start, one kept for the service: every report and the completion used the latter.
        #expect(count("hello", in: agent) == 2, "\(agent.requests)")
    }

    @Test func aLostKeptConnectionIsReplacedAndNothingIsLost() async throws {
        let agent = try agent(hangUpOnReadiness: true)
        defer {
            agent.stop()
            place.remove()
        }
        let result = try await runService(agent)
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("error"), "\(result)")
        #expect(count("complete", in: agent) == 1)
        // The lost report went again over a new connection; the completion over the next kept one.
        #expect(count("readiness", in: agent) >= 2)
        #expect(count("hello", in: agent) >= 3, "\(agent.requests)")
    }
}
