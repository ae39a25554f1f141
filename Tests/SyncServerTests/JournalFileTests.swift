import Foundation
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// A `--state-file` that is not a plain file of the user's own is refused at once, with what to do: never a hang
/// (a FIFO), never someone else's file.
@Suite("Journal file checks")
struct JournalFileTests {
    private let clock: UnitGraph.Clock = { Timestamp(microseconds: 1_000) }

    private func refusal(_ path: String) -> String {
        let error = #expect(throws: Journal.Failure.self) { _ = try Journal.open(path: path, clock: clock) }
        return error?.description ?? ""
    }

    @Test func aFIFOIsRefusedInsteadOfBlockingTheStart() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.journal")
        #expect(mkfifo(path, 0o600) == 0)
        let message = refusal(path)
        #expect(message.contains("journal \(path) is not a regular file (it is a FIFO)"), "\(message)")
        #expect(message.contains("--state-file"), "\(message)")
    }

    @Test func aDirectoryIsRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.journal")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let message = refusal(path)
        #expect(message.contains("journal \(path) is not a regular file (it is a directory)"), "\(message)")
    }

    @Test func aSymbolicLinkIsRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.journal")
        #expect(symlink(directory.file("elsewhere"), path) == 0)
        let message = refusal(path)
        #expect(message.contains("journal \(path) is a symbolic link"), "\(message)")
        #expect(message.contains("give the real path"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("elsewhere")))
    }

    @Test func aMissingDirectoryIsNamed() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("missing/agent.journal")
        let message = refusal(path)
        #expect(message.contains("directory \(directory.file("missing")) does not exist"), "\(message)")
        #expect(message.contains("create it"), "\(message)")
    }

    @Test func anotherUsersJournalIsRefused() throws {
        guard geteuid() == 0 else {
            print("skipped: changing a file's owner needs root")
            return
        }
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.journal")
        try (JournalReader.header(instance: "abc") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chown(path, 65534, 65534) == 0)
        let message = refusal(path)
        #expect(message.contains("journal \(path) belongs to uid 65534, not to you (uid 0)"), "\(message)")
    }

    @Test func aLeftoverCompactionFileLinkedElsewhereIsNotTruncatedThrough() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let precious = directory.file("precious")
        try "keep me\n".write(toFile: precious, atomically: false, encoding: .utf8)
        #expect(link(precious, journal + ".compacting") == 0)
        let agent = try await InProcessAgent.start(
            in: directory, journal: journal, configure: { $0.compactAfterLines = 10 })
        let client = try await agent.client()
        for _ in 0..<10 {
            for index in 0..<3 {
                _ = try await client.start("u\(index)")
                try await client.complete("u\(index)")
            }
        }
        #expect(try String(contentsOfFile: journal, encoding: .utf8).contains(#"{"snapshot":"#))
        client.close()
        await agent.stopKeepingFiles()
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "keep me\n")
    }
}
