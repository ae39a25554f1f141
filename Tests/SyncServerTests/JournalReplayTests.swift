import Foundation
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// The journal is read with a bulk replay and keeps only the newest events for the history: the graph it gives is
/// the one that wrote it, a torn tail is still repaired, and the history is the newest events in order.
@Suite("Journal replay")
struct JournalReplayTests {
    private let clock: UnitGraph.Clock = { Timestamp(microseconds: 1_000) }

    /// A graph that went through starts, completions, failures (with skipped dependents), edges requiring other
    /// statuses, notes and restarts of failed units, with every event it recorded.
    private static func liveRun() throws -> (UnitGraph, [SyncEvent]) {
        var graph = UnitGraph(clock: { Timestamp(microseconds: 5) })
        for index in 0..<60 {
            try graph.register("u\(index)")
            if index > 0 { try graph.want("u\(index)", dependsOn: "u\(index / 2)") }
            if index > 3, index % 7 == 0 {
                try graph.addDependency("u\(index)", on: "u\(index - 3)", requiring: .started)
            }
        }
        try graph.want("late", dependsOn: "u59")
        for index in 0..<30 {
            _ = try? graph.start("u\(index)", wait: nil, token: "t\(index)")
            if index % 5 == 4 {
                try? graph.fail("u\(index)", reason: "exit \(index)")
            } else {
                try? graph.complete("u\(index)")
            }
        }
        try graph.note("u3", "half way")
        _ = try? graph.start("u4", wait: nil, token: "again")
        return (graph, graph.drainEvents())
    }

    private func write(_ lines: [String], to path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }

    private func expectSameGraph(_ read: UnitGraph?, _ live: UnitGraph) throws {
        let read = try #require(read)
        #expect(read.snapshot == live.snapshot)
        #expect(read.nextSequence == live.nextSequence)
        for unit in live.unitNames {
            #expect(read.isReady(unit) == live.isReady(unit), "readiness of \(unit)")
        }
        // The order was rebuilt: the loops the live graph refuses are refused.
        var copy = read
        #expect(throws: SyncError.self) { try copy.want("u0", dependsOn: "late") }
        try copy.want("late", dependsOn: "u0")
    }

    @Test func aJournalGivesTheGraphThatWroteIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (live, events) = try Self.liveRun()
        let path = directory.file("j")
        try write([JournalReader.header(instance: "abc")] + events.map { EncodedEvent($0).json }, to: path)
        let (journal, contents) = try Journal.open(path: path, clock: clock)
        journal.close()
        try expectSameGraph(contents.graph, live)
        #expect(contents.snapshot == live.snapshot)
        #expect(contents.events == events)
    }

    @Test func aCompactedJournalGivesTheGraphThatWroteIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (live, events) = try Self.liveRun()
        var early = UnitGraph(clock: clock)
        for event in events.prefix(100) { early.replay(event) }
        let path = directory.file("j")
        try write(
            [JournalReader.header(instance: "abc"), JSON.object([("snapshot", early.snapshot.json)]).compact]
                + events.dropFirst(90).map { EncodedEvent($0).json }, to: path)
        let (journal, contents) = try Journal.open(path: path, clock: clock)
        journal.close()
        try expectSameGraph(contents.graph, live)
        #expect(contents.events == Array(events.dropFirst(90)))
    }

    @Test func onlyTheNewestEventsAreKeptForTheHistory() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (live, events) = try Self.liveRun()
        let path = directory.file("j")
        let lines = [JournalReader.header(instance: "abc")] + events.map { EncodedEvent($0).json }
        // A torn last line is still dropped and the file cut back to the last whole line.
        let torn = lines.joined(separator: "\n") + "\n" + #"{"seq":999,"time_us":5,"kind":"regis"#
        try torn.write(toFile: path, atomically: false, encoding: .utf8)
        for keep in [0, 1, 7, events.count, events.count + 5] {
            let (journal, contents) = try Journal.open(path: path, clock: clock, keepsEvents: keep)
            journal.close()
            try expectSameGraph(contents.graph, live)
            #expect(contents.events == Array(events.suffix(keep)), "keeping \(keep)")
            #expect(contents.lines == events.count)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == lines.joined(separator: "\n") + "\n")
        }
    }

    /// Lines are decoded on a second thread in chunks of whole lines: however the file is cut, the reader sees every
    /// line in order, and a corrupt line anywhere is reported as it was before (the decoding thread stopped).
    @Test(arguments: [1, 7, 64, 300, 4 << 20])
    func linesDecodedAheadInChunksOfAnySizeGiveTheSameReading(chunkBytes: Int) throws {
        let (live, events) = try Self.liveRun()
        var lines = [JournalReader.header(instance: "abc")] + events.map { EncodedEvent($0).json }
        // Lines the fast decoder does not take (a space after a colon) go through the JSON parser, in their place.
        for index in stride(from: 5, to: lines.count, by: 17) {
            lines[index] = lines[index].replacingOccurrences(of: #""seq":"#, with: #""seq": "#)
        }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        for keep in [3, Int.max] {
            let reader = JournalReader(path: "j", clock: clock, keepsEvents: keep, chunkBytes: chunkBytes)
            let reading = try reader.read(bytes)
            try expectSameGraph(reading.result.graph, live)
            #expect(reading.result.events == Array(events.suffix(keep)))
            #expect(reading.lineCount == events.count)
        }
        lines[5] = "not json"
        let corrupt = Array((lines.joined(separator: "\n") + "\n").utf8)
        let error = #expect(throws: Journal.Failure.self) {
            _ = try JournalReader(path: "j", clock: clock, chunkBytes: chunkBytes).read(corrupt)
        }
        #expect(error?.description.contains("corrupt at line 6: it is not valid JSON") == true)
    }

    @Test func aLoopInTheEdgesIsStillRefusedWithItsLine() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let kinds: [SyncEvent.Kind] = [
            .registered(unit: "a"), .registered(unit: "b"),
            .dependencyAdded(unit: "a", dependsOn: "b", required: .completed),
            .statusChanged(unit: "b", from: .pending, to: .started, reason: nil, cause: nil),
            .dependencyAdded(unit: "b", dependsOn: "a", required: .completed),
            .registered(unit: "c"),
        ]
        let lines = kinds.enumerated().map {
            SyncEvent(sequence: UInt64($0.offset + 1), time: Timestamp(microseconds: 1), kind: $0.element).json.compact
        }
        let path = directory.file("j")
        try write([JournalReader.header(instance: "abc")] + lines, to: path)
        let error = #expect(throws: Journal.Failure.self) { _ = try Journal.open(path: path, clock: clock) }
        #expect(error?.description.contains("corrupt at line 6: it closes a dependency cycle") == true)
    }
}
