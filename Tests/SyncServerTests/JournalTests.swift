import Foundation
import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// The journal: state survives a restart; a torn last line is dropped, a corrupt middle refused.
@Suite("Journal")
struct JournalTests {
    private let clock: UnitGraph.Clock = { Timestamp(microseconds: 1_000) }

    private func event(_ sequence: UInt64, _ kind: SyncEvent.Kind) -> String {
        SyncEvent(sequence: sequence, time: Timestamp(microseconds: Int64(sequence)), kind: kind).json.compact
    }

    private var goodLines: [String] {
        [
            JournalReader.header(instance: "abc"),
            event(1, .registered(unit: "git")),
            event(2, .statusChanged(unit: "git", from: .pending, to: .started, reason: nil, cause: nil)),
            event(3, .registered(unit: "claude")),
            event(4, .dependencyAdded(unit: "claude", dependsOn: "git", required: .completed)),
        ]
    }

    @Test func aStateSurvivesARestartAndStartedUnitsStayStarted() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let first = try await InProcessAgent.start(in: directory, journal: journal)
        let client = try await first.client()
        try await client.want("claude", dependsOn: ["git"])
        _ = try await client.start("git")
        _ = try await client.start("db")
        try await client.complete("db")
        try await client.fail("cache", reason: "exit 2")
        let before = try await client.snapshot()
        client.close()
        await first.stopKeepingFiles()

        let second = try await InProcessAgent.start(in: directory, journal: journal)
        let again = try await second.client()
        let after = try await again.snapshot()
        #expect(after.units.map(\.status) == before.units.map(\.status))
        #expect(after.edges == before.edges)
        #expect(after.sequence == before.sequence)
        #expect(try await again.status("git").info?.status == .started)
        // History comes back too, and numbering goes on.
        let (_, events) = try await again.history()
        #expect(events.map(\.sequence) == Array(1...before.sequence))
        try await again.complete("git")
        #expect(try await again.snapshot().sequence > before.sequence)
        again.close()
        await second.stop()
    }

    @Test func aTornLastLineIsDroppedAndTheFileRepaired() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("j")
        let text = goodLines.joined(separator: "\n") + "\n" + #"{"seq":5,"time_us":5,"kind":"regis"#
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let (_, contents) = try Journal.open(path: path, clock: clock)
        #expect(contents.droppedTail?.hasPrefix(#"{"seq":5"#) == true)
        #expect(contents.snapshot.sequence == 4)
        #expect(contents.snapshot.units.map(\.name) == ["claude", "git"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == goodLines.joined(separator: "\n") + "\n")
    }

    @Test func aGarbledLastLineWithItsNewlineIsAlsoDropped() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("j")
        try (goodLines.joined(separator: "\n") + "\n\u{0}\u{0}\u{0}\n").write(
            toFile: path, atomically: false, encoding: .utf8)
        let (_, contents) = try Journal.open(path: path, clock: clock)
        #expect(contents.droppedTail != nil)
        #expect(contents.snapshot.sequence == 4)
    }

    @Test(arguments: [
        (2, "not json", "it is not valid JSON"),
        (3, #"{"seq":7,"time_us":7,"kind":"registered","unit":"x"}"#, "events 2…6 are missing"),
        (2, #"{"what":"ever"}"#, "it is not an event"),
    ])
    func aCorruptMiddleIsRefusedAndTheFileLeftUntouched(line: Int, replacement: String, problem: String) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("j")
        var lines = goodLines
        lines[line - 1] = replacement
        let text = lines.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let error = #expect(throws: Journal.Failure.self) { _ = try Journal.open(path: path, clock: clock) }
        #expect(error?.description.contains("is corrupt at line \(line): \(problem)") == true)
        #expect(error?.description.contains("left untouched") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func anAgentRefusesToStartOnACorruptJournal() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("j")
        try (goodLines[0] + "\nbroken\n" + goodLines[1] + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let error = await #expect(throws: AgentStartError.self) {
            _ = try await InProcessAgent.start(in: directory, journal: path)
        }
        #expect(error?.message.contains("corrupt at line 2") == true)
        // The socket is not left behind, so the next attempt can start.
        #expect(!FileManager.default.fileExists(atPath: directory.socket))
    }

    @Test func compactionKeepsTheFullStateAndRecentHistory() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let agent = try await InProcessAgent.start(
            in: directory, journal: journal, configure: { $0.compactAfterLines = 100 })
        let client = try await agent.client()
        for round in 0..<30 {
            for i in 0..<10 {
                _ = try await client.start("u\(i)")
                if round < 29 || i < 5 { try await client.complete("u\(i)") }
            }
        }
        let before = try await client.snapshot()
        client.close()
        await agent.stopKeepingFiles()
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix(#"{"snapshot":"#) })
        #expect(lines.count < 200)  // 605 events were written; compacted, the file holds far fewer lines

        let restarted = try await InProcessAgent.start(in: directory, journal: journal)
        let again = try await restarted.client()
        let after = try await again.snapshot()
        #expect(after == before)
        again.close()
        await restarted.stop()
    }

    /// Complete lines after the header.
    private static func records(in journal: String) throws -> Int {
        try Data(contentsOf: URL(fileURLWithPath: journal)).count { $0 == UInt8(ascii: "\n") } - 1
    }

    @Test func compactionKeepsTheJournalWithinItsBoundUnderASteadyLoad() async throws {
        // Eight clients keep changes coming, so every append ends with the next changes already queued: the journal
        // must still be compacted, never holding more than the threshold plus one append.
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let agent = try await InProcessAgent.start(
            in: directory, journal: journal, configure: { $0.compactAfterLines = 100 })
        let clients = 8
        // The most records the journal held, read by the first client after each of its changes.
        let largest = try await withThrowingTaskGroup(of: Int.self) { group in
            for c in 0..<clients {
                let client = try await agent.client()
                group.addTask {
                    defer { client.close() }
                    var largest = 0
                    for round in 0..<60 {
                        _ = try await client.start("c\(c)-u\(round % 5)")
                        try await client.complete("c\(c)-u\(round % 5)")
                        if c == 0 { largest = max(largest, try Self.records(in: journal)) }
                    }
                    return largest
                }
            }
            return try await group.reduce(0, max)
        }
        let client = try await agent.client()
        let before = try await client.snapshot()
        client.close()
        await agent.stopKeepingFiles()
        // 960 requests, over 1,000 events; one append holds at most one request of each client (two events each:
        // registered and started).
        let bound = JournalGate.compactionThreshold(compactAfterRecords: 100, graphSize: before.units.count)
        #expect(before.sequence > 900)
        #expect(largest <= bound + 2 * clients, "the journal held \(largest) records")

        let restarted = try await InProcessAgent.start(in: directory, journal: journal)
        let again = try await restarted.client()
        #expect(try await again.snapshot() == before)
        again.close()
        await restarted.stop()
    }
}
