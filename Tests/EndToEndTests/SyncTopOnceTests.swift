import Foundation
import SyncTestSupport
import Testing

/// `sync-top --once`, and `sync-top` with its stdout piped, against a separate `sync-agent` process: what a person
/// runs in a script or a CI log, not only the live screen.
@Suite("sync-top --once against an agent")
struct SyncTopOnceTests {
    private func syncTop(_ arguments: [String], socket: String) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            Products.path("sync-top"), arguments + ["--socket-path", socket],
            environment: ["LC_ALL": "C.UTF-8", "TZ": "UTC", "TERM": "xterm-256color"])
    }

    @Test func onceShowsTheAgentsUnits() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "claude", "git")
            _ = try await agent.syncctl("start", "git")
            _ = try await agent.syncctl("complete", "git")
            _ = try await agent.syncctl("fail", "db", "--reason", "exit 3")
            let result = try await syncTop(["--once"], socket: agent.socket)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("3 units: 1 failed, 1 pending, 1 completed"), "\(result)")
            for unit in ["claude", "git", "db"] {
                #expect(result.stdout.contains(unit), "\(result)")
            }
            #expect(!result.stdout.contains("\u{1B}"), "no escapes when piped")
        }
    }

    @Test func pipedWithoutOnceIsTheSameSnapshot() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "claude", "git")
            let result = try await syncTop([], socket: agent.socket)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("1 unit: 1 pending"), "\(result)")
            #expect(result.stdout.contains("claude"), "\(result)")
        }
    }

    @Test func onceWithNoUnitsSaysSo() async throws {
        try await withAgentProcess { agent in
            let result = try await syncTop(["--once"], socket: agent.socket)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("no units"), "\(result)")
        }
    }
}
