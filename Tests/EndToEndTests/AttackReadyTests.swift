import Foundation
import SyncTestSupport
import Testing

/// Attacks on `syncctl ready --when` and `run --ready`, whose completion is sent from the readiness thread: the
/// check passes while the shared store is unreachable, so the completion is refused with `store_unavailable`. The
/// command must not hang, and what it says must be true: exit 0 only when the unit is completed, and otherwise a
/// failure that says the store could not be reached.
extension AttackSuites {
    @Suite("Attack: readiness passing while the shared store is away", .timeLimit(.minutes(3)))
    struct AttackReadyTests {
        @Test(arguments: [false, true])
        func aCheckPassingWhileTheStoreIsAwayNeverClaimsACompletionThatDidNotHappen(run: Bool) async throws {
            try await SharedGraphTests().withAgents(1) { agents, server in
                let flag = agents.directory.file("flag")
                let command =
                    run
                    ? ["run", "db", "--ready", "file:\(flag)", "--ready-timeout", "60s", "--", "sleep", "300"]
                    : ["ready", "db", "--when", "file:\(flag)", "--timeout", "20s"]
                let process = try RunningProcess(
                    Products.path("syncctl"), command,
                    environment: [
                        "SYNC_AGENT_SOCKET_PATH": agents.directory.file(SharedGraphTests.Agents.socket(0)),
                        "SYNC_AGENT_AUTOSTART": "0",
                    ], newProcessGroup: true)
                defer { process.signalGroup(SIGKILL) }
                await process.waitForOutput(containing: "waiting until ready")
                _ = await server.stop()
                // The agent knows the store is away (its reads say so) before the check passes.
                let stale = await eventually(seconds: 30) {
                    let status = try? await agents.syncctl(0, "status", "db")
                    return status?.stderr.contains("is unreachable") ?? false
                }
                #expect(stale)
                FileManager.default.createFile(atPath: flag, contents: nil)
                if run {
                    // The service runs on, and run asks again: once it said what became of the completion, stop it.
                    let said = await eventually(seconds: 60) {
                        let output = process.outputSoFar
                        return output.contains("cannot complete") || output.contains("ready after")
                    }
                    #expect(said, "\(process.outputSoFar)")
                    process.signal(SIGTERM)
                }
                let result = await process.finish()
                try server.start()
                await server.waitUntilAcceptingConnections()
                var status = try await agents.syncctl(0, "status", "db", "-o", "json")
                let giveUp = Date().addingTimeInterval(30)
                while status.stderr.contains("is unreachable") && Date() < giveUp {
                    try await Task.sleep(for: .milliseconds(250))
                    status = try await agents.syncctl(0, "status", "db", "-o", "json")
                }
                let completed = status.stdout.contains(#""status": "completed""#)
                let told = result.status != 0 && result.stderr.contains("cannot be reached")
                guard run else {
                    #expect(told || (result.status == 0 && completed), "\(result)\n\(status)")
                    return
                }
                // run asks again while the service runs (stopped here before the store came back): it must not say ready.
                #expect(
                    completed || !result.stderr.contains("ready after"),
                    "run said ready, but db is not completed: \(result)\n\(status)")
                #expect(result.status != 0 && result.stderr.contains("cannot be reached"), "\(result)")
            }
        }
    }
}
