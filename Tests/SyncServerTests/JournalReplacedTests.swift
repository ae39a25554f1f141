import Foundation
import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// A journal deleted or replaced under a running agent: the agent notices at its next write, puts a complete
/// journal back at the path, and says so; nothing acknowledged is lost at the next start.
@Suite("Journal deleted or replaced")
struct JournalReplacedTests {
    private func startAgent(
        _ directory: TemporaryDirectory, _ journal: String, log: LogRecorder
    ) async throws -> InProcessAgent {
        try await InProcessAgent.start(in: directory, journal: journal, configure: { $0.logger = log.logger() })
    }

    private func changes(_ client: SyncClient, _ prefix: String) async throws {
        try await client.want("\(prefix)-app", dependsOn: ["\(prefix)-db"])
        _ = try await client.start("\(prefix)-db")
        try await client.complete("\(prefix)-db")
    }

    /// The state a new agent reads from `journal`: what survives a restart.
    private func stateAfterRestart(_ directory: TemporaryDirectory, _ journal: String) async throws -> GraphSnapshot {
        let restarted = try await InProcessAgent.start(in: directory, journal: journal)
        let client = try await restarted.client()
        let snapshot = try await client.snapshot()
        client.close()
        await restarted.stop()
        return snapshot
    }

    @Test func aDeletedJournalIsWrittenAgainWithEverything() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let log = LogRecorder()
        let agent = try await startAgent(directory, journal, log: log)
        let client = try await agent.client()
        try await changes(client, "before")
        try FileManager.default.removeItem(atPath: journal)
        try await changes(client, "after")
        #expect(FileManager.default.fileExists(atPath: journal))
        #expect(log.count("journal was deleted") == 1, "\(log.all)")
        let before = try await client.snapshot()
        client.close()
        await agent.stopKeepingFiles()

        let after = try await stateAfterRestart(directory, journal)
        #expect(after == before)
        #expect(after.units.first { $0.name == "after-db" }?.status == .completed)
    }

    @Test func aJournalDeletedWhileTheAgentIsIdleIsPutBackWithoutWaitingForAChange() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let log = LogRecorder()
        let agent = try await startAgent(directory, journal, log: log)
        let client = try await agent.client()
        try await changes(client, "before")
        let before = try await client.snapshot()
        try FileManager.default.removeItem(atPath: journal)
        #expect(await log.waitFor("journal was deleted"), "\(log.all)")
        #expect(FileManager.default.fileExists(atPath: journal))
        client.close()
        await agent.stopKeepingFiles()

        #expect(try await stateAfterRestart(directory, journal) == before)
    }

    @Test func aReplacedJournalIsWrittenAgainAndTheStrangerKeptAside() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let log = LogRecorder()
        let agent = try await startAgent(directory, journal, log: log)
        let client = try await agent.client()
        try await changes(client, "before")
        let stranger = directory.file("stranger")
        try (JournalReader.header(instance: "0000000000000001") + "\n").write(
            toFile: stranger, atomically: false, encoding: .utf8)
        #expect(rename(stranger, journal) == 0)
        try await changes(client, "after")
        #expect(log.count("journal was replaced") == 1, "\(log.all)")
        // The file that took its place is not thrown away.
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("agent.journal.replaced-") }
        #expect(kept.count == 1, "\(kept)")
        if let name = kept.first {
            #expect(try String(contentsOfFile: directory.file(name), encoding: .utf8).contains("0000000000000001"))
        }
        let before = try await client.snapshot()
        client.close()
        await agent.stopKeepingFiles()

        #expect(try await stateAfterRestart(directory, journal) == before)
    }
}
