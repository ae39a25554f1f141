import Foundation
import SyncTestSupport
import Testing

/// A command whose output cannot be written (a full disk) must not exit 0 as if a script had read it; a reader
/// that goes away early (`| head -1`) is not an error.
@Suite("syncctl when its output cannot be written")
struct OutputFailureTests {
    @Test func aFullDiskIsAnErrorNotASuccess() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "claude", "git")
            for arguments in [["list"], ["status", "claude", "-o", "json"], ["want", "claude", "node"]] {
                let result = try await RunningProcess.run(
                    "/bin/sh", ["-c", "exec \"$0\" \"$@\" > /dev/full", Products.path("syncctl")] + arguments,
                    environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
                #expect(result.status == 1, "\(arguments): \(result)")
                #expect(
                    result.stderr.contains("cannot write to standard output: no space left on device"),
                    "\(arguments): \(result)")
            }
        }
    }

    @Test func aReaderThatLeavesEarlyIsNotAnError() async throws {
        try await withAgentProcess { agent in
            // More than a pipe holds, so syncctl is still writing when head has gone.
            let dependencies = (0..<3000).map { "dependency-\($0)" }
            _ = try await RunningProcess.run(
                Products.path("syncctl"), ["want", "big"] + dependencies,
                environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
            let result = try await RunningProcess.run(
                "/bin/bash", ["-c", "set -o pipefail; \"$0\" status big | head -c 10", Products.path("syncctl")],
                environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
            #expect(result.stdout == "Unit: big\n", "\(result)")
            #expect(!result.stderr.contains("cannot write"), "\(result)")
        }
    }
}
