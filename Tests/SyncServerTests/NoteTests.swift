import Foundation
import Glibc
import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// `note` over the socket: kept with the unit, streamed as a `noted` event, journaled (refused while the journal
/// fails) and restored after a restart and a compaction.
@Suite("Notes")
struct NoteRequestTests {
    @Test func aNoteIsShownByStatusListAndTheStream() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            let watcher = try await agent.client("watcher")
            _ = try await client.start("db")
            let stream = watcher.subscribe()
            var items = stream.makeAsyncIterator()
            guard case .snapshot = try await items.next() else { throw NoteTestError.expectedSnapshot }

            #expect(try await client.note("db", "migrating\n3/10") == "migrating 3/10")
            #expect(try await client.status("db").info?.note == "migrating 3/10")
            #expect(try await client.list().map(\.note) == ["migrating 3/10"])
            guard case .event(let event, _) = try await items.next() else { throw NoteTestError.expectedEvent }
            #expect(event.kind == .noted(unit: "db", note: "migrating 3/10"))

            #expect(try await client.note("db", "") == nil)
            #expect(try await client.status("db").info?.note == nil)
            client.close()
            watcher.close()
        }
    }

    @Test func aNoteOnAnUnknownUnitIsRefused() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            await #expect(throws: WireError.self) { try await client.note("nobody", "x") }
            do {
                try await client.note("nobody", "x")
            } catch let error as WireError {
                #expect(error.code == .notRegistered)
                #expect(error.message.hasPrefix(#"cannot note unit "nobody": unit "nobody" must be registered first"#))
            }
            #expect(try await client.list().isEmpty)
            client.close()
        }
    }

    @Test func aNoteIsRefusedWhileTheJournalFailsAndSurvivesARestart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let agent = try await InProcessAgent.start(
            in: directory, journal: journal, configure: { $0.journalRetryInterval = .seconds(3600) })
        let client = try await agent.client()
        _ = try await client.start("db")
        try await client.note("db", "migrating 3/10")
        try await #require(agent.server.journal).injectFailures(ENOSPC, count: 1)
        // The failing write: the note is undone, and from then on notes are refused up front.
        await #expect(throws: WireError.self) { try await client.note("db", "lost") }
        do {
            try await client.note("db", "lost again")
            Issue.record("expected journal_unavailable")
        } catch {
            #expect(error.code == .journalUnavailable)
        }
        #expect(try await client.status("db").info?.note == "migrating 3/10")
        client.close()
        await agent.stopKeepingFiles()

        let restarted = try await InProcessAgent.start(in: directory, journal: journal)
        let again = try await restarted.client()
        #expect(try await again.status("db").info?.note == "migrating 3/10")
        again.close()
        await restarted.stop()
    }

    @Test func aNoteSurvivesACompaction() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let agent = try await InProcessAgent.start(
            in: directory, journal: journal, configure: { $0.compactAfterLines = 20 })
        let client = try await agent.client()
        _ = try await client.start("db")
        try await client.note("db", "migrating 3/10")
        for round in 0..<40 {
            _ = try await client.start("u\(round % 3)")
            try await client.complete("u\(round % 3)")
        }
        client.close()
        await agent.stopKeepingFiles()
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        let snapshotLine = try #require(lines.first { $0.hasPrefix(#"{"snapshot":"#) })
        #expect(snapshotLine.contains(#""note":"migrating 3/10""#))

        let restarted = try await InProcessAgent.start(in: directory, journal: journal)
        let again = try await restarted.client()
        #expect(try await again.status("db").info?.note == "migrating 3/10")
        again.close()
        await restarted.stop()
    }
}

private enum NoteTestError: Error {
    case expectedSnapshot, expectedEvent
}
