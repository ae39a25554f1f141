import Foundation
import SyncProtocol
import SyncTestSupport
import Testing

/// Unit names are bytes, through the built `syncctl` and `sync-agent` and across a restart that replays the journal:
/// `café` precomposed and decomposed are two units.
@Suite("Names as bytes, end to end")
struct ByteNameEndToEndTests {
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"

    private func startAgent(_ directory: TemporaryDirectory) async throws -> RunningProcess {
        let agent = try RunningProcess(Products.path("sync-agent"), ["--socket-path", directory.socket])
        await agent.waitForOutput(containing: "agent listening")
        return agent
    }

    private func syncctl(
        _ directory: TemporaryDirectory, _ arguments: String...
    ) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
    }

    /// name bytes -> status, from `syncctl list -o json`.
    private func statuses(_ directory: TemporaryDirectory) async throws -> [[UInt8]: String] {
        let list = try await syncctl(directory, "list", "-o", "json")
        #expect(list.status == 0, "\(list)")
        let json = try JSON.parse(list.stdout)
        var out: [[UInt8]: String] = [:]
        for unit in json.arrayValue ?? [] {
            if let name = unit["unit_name"]?.stringValue, let status = unit["status"]?.stringValue {
                out[Array(name.utf8)] = status
            }
        }
        return out
    }

    @Test func equivalentSpellingsStayTwoUnitsAcrossARestart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var agent = try await startAgent(directory)
        let want = try await syncctl(directory, "want", Self.nfc, Self.nfd)
        #expect(want.status == 0, "\(want)")
        #expect(try await syncctl(directory, "start", Self.nfd).status == 0)
        #expect(try await syncctl(directory, "complete", Self.nfd).status == 0)
        let expected = [Array(Self.nfc.utf8): "pending", Array(Self.nfd.utf8): "completed"]
        #expect(try await statuses(directory) == expected)

        agent.signal(SIGTERM)
        _ = await agent.finish()
        agent = try await startAgent(directory)
        #expect(try await statuses(directory) == expected, "the journal replay keeps them apart")
        #expect(try await syncctl(directory, "start", Self.nfc).status == 0, "its own dependency completed")
        agent.signal(SIGTERM)
        _ = await agent.finish()
    }
}
