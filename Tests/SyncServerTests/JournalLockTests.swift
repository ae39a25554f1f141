import Foundation
import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// One journal, one agent: a second agent on the same `--state-file` is refused and told who holds it, for as long
/// as the first runs, compactions included.
@Suite("Journal lock")
struct JournalLockTests {
    private let clock: UnitGraph.Clock = { Timestamp(microseconds: 1_000) }

    @Test func aSecondOpenIsRefusedWithTheHoldersPidUntilTheFirstCloses() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.journal")
        var first: Journal? = try Journal.open(path: path, clock: clock).0
        let error = #expect(throws: Journal.Failure.self) { _ = try Journal.open(path: path, clock: clock) }
        let message = error?.description ?? ""
        #expect(message.contains("journal \(path) is in use by pid \(getpid())"), "\(message)")
        #expect(message.contains("stop that agent"), "\(message)")
        #expect(message.contains("--state-file"), "\(message)")
        // The pid is there for anyone to read.
        let lock = try String(contentsOfFile: path + ".lock", encoding: .utf8)
        #expect(lock.trimmingCharacters(in: .whitespacesAndNewlines) == "\(getpid())")
        first?.close()
        first = nil
        _ = try Journal.open(path: path, clock: clock)
    }

    @Test func aSecondAgentIsRefusedAcrossCompactionsAndMayStartOnceTheFirstStops() async throws {
        let directory = TemporaryDirectory()
        let other = TemporaryDirectory()
        defer {
            directory.remove()
            other.remove()
        }
        let journal = directory.file("agent.journal")
        let first = try await InProcessAgent.start(
            in: directory, journal: journal, configure: { $0.compactAfterLines = 20 })
        let client = try await first.client()
        for _ in 0..<10 {
            for index in 0..<5 {
                _ = try await client.start("u\(index)")
                try await client.complete("u\(index)")
            }
        }
        // The file was replaced by compactions; the lock did not go with the old file.
        #expect(try String(contentsOfFile: journal, encoding: .utf8).contains(#"{"snapshot":"#))
        let error = await #expect(throws: AgentStartError.self) {
            _ = try await InProcessAgent.start(in: other, journal: journal, waitWhileInUse: false)
        }
        #expect(error?.message.contains("is in use by pid \(getpid())") == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: other.socket))
        let before = try await client.snapshot()
        client.close()
        await first.stopKeepingFiles()

        let second = try await InProcessAgent.start(in: other, journal: journal)
        let again = try await second.client()
        #expect(try await again.snapshot() == before)
        again.close()
        await second.stop()
    }

    /// A lock file deleted (or replaced) while the agent runs would let a second agent lock a new file of that name
    /// and share the journal: the agent takes the lock again at once and says so.
    @Test(arguments: [false, true])
    func aLockFileDeletedUnderTheAgentIsTakenAgain(replaced: Bool) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let log = LogRecorder()
        let agent = try await InProcessAgent.start(
            in: directory, journal: journal, configure: { $0.logger = log.logger() })
        if replaced {
            // Another file renamed over the lock file, in one step.
            let stranger = directory.file("stranger")
            #expect(FileManager.default.createFile(atPath: stranger, contents: Data("1\n".utf8)))
            #expect(rename(stranger, journal + ".lock") == 0)
        } else {
            #expect(unlink(journal + ".lock") == 0)
        }
        #expect(await log.waitFor("took the journal's lock again"), "\(log.all)")
        let error = #expect(throws: Journal.Failure.self) { _ = try Journal.open(path: journal, clock: clock) }
        #expect(error?.description.contains("is in use by pid \(getpid())") == true, "\(error?.description ?? "")")
        await agent.stop()
    }
}
