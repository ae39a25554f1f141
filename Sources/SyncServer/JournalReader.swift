@preconcurrency import Glibc
import SyncCore
import SyncProtocol

/// Reads a journal's bytes back into a graph, checking every line: it must be JSON, an event or the snapshot that
/// follows the header, with sequence numbers that only grow, and describe only what a request could have done
/// (see `JournalReader+Validation.swift`).
struct JournalReader {
    /// What reading found.
    struct Reading {
        var result: Journal.Contents
        var instance: String { result.instance }
        var lineCount: Int
        /// Byte offset to truncate to, when the last line was torn.
        var tornAt: Int?
        /// The file had no header (new or empty).
        var needsHeader: Bool
    }

    let path: String
    let clock: UnitGraph.Clock
    /// How many of the newest events ``Journal/Contents/events`` keeps (the agent's history holds no more); the
    /// graph is built from all of them.
    var keepsEvents = Int.max
    /// About how many bytes of lines the second thread decodes at a time (see ``EventLinesAhead``).
    var chunkBytes = 1 << 20

    static func header(instance: String) -> String {
        JSON.object([("journal", "sync-agent"), ("version", 1), ("instance", .string(instance))]).compact
    }

    /// A new random instance name: 16 hex digits.
    static func newInstance() -> String {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    func read(_ data: [UInt8]) throws(Journal.Failure) -> Reading {
        let reading = data.withUnsafeBufferPointer { bytes -> Result<Reading, Journal.Failure> in
            do throws(Journal.Failure) {
                return .success(try read(bytes))
            } catch {
                return .failure(error)
            }
        }
        return try reading.get()
    }

    /// Reads the journal in `data`: line by line, each event in the exact form the agent writes decoded straight
    /// from its bytes (``EventLineDecoder``), anything else through the general JSON parser, which also says what
    /// is wrong with a line.
    private func read(_ data: UnsafeBufferPointer<UInt8>) throws(Journal.Failure) -> Reading {
        let lines = Lines(data)
        var tornAt: Int?
        var dropped: String?
        if lines.tail < data.count {
            // No newline at the end: the last write was cut short.
            tornAt = lines.tail
            dropped = String(decoding: data[lines.tail...].prefix(80), as: UTF8.self)
        }
        guard let firstEnd = lines.end(of: 0) else {
            let empty = GraphSnapshot(sequence: 0, units: [], edges: [])
            return Reading(
                result: Journal.Contents(
                    instance: Self.newInstance(), snapshot: empty, events: [], lines: 0, droppedTail: dropped),
                lineCount: 0, tornAt: tornAt, needsHeader: true)
        }
        guard let header = try? JSON.parse(data[0..<firstEnd]), header["journal"] == "sync-agent",
            let instance = header["instance"]?.stringValue
        else {
            throw failure(line: 1, "it does not start with a sync-agent journal header")
        }
        guard header["version"] == 1 else {
            throw failure(line: 1, "journal version \(header["version"]?.compact ?? "?") is not supported")
        }
        var graph = UnitGraph(clock: clock)
        // Readiness and the dependency order are rebuilt once at the end, not event by event.
        graph.beginReplay()
        // The lines of the newest events, decoded again at the end: copying each of a million events into the ring
        // only to drop most of them cost more than decoding the few kept twice.
        var kept = BoundedRing<Range<Int>>(capacity: keepsEvents)
        var goodLines = 0
        var lastSequence: UInt64 = 0
        var snapshotSequence: UInt64 = 0
        var number = 0
        // Lines are decoded on a second thread while this one applies the ones before them.
        let ahead = EventLinesAhead(data, from: firstEnd + 1, to: lines.tail, chunkBytes: chunkBytes)
        defer { ahead.stop() }
        reading: while let chunk = ahead.nextChunk() {
            for next in chunk {
                number += 1
                let end = next.end
                let line = UnsafeBufferPointer(rebasing: data[next.start..<end])
                let lineOffset = next.start
                let isLast = end + 1 >= lines.tail && tornAt == nil
                let event: SyncEvent
                let nameProblem: String?
                if let decoded = next.event {
                    event = decoded
                    nameProblem = next.nameProblem
                } else {
                    guard let json = try? JSON.parse(line) else {
                        if isLast {
                            // A complete but garbled last line: also the mark of an interrupted write.
                            tornAt = lineOffset
                            dropped = String(decoding: line.prefix(80), as: UTF8.self)
                            break reading
                        }
                        throw failure(line: number + 1, "it is not valid JSON")
                    }
                    if let snapshotJSON = json["snapshot"] {
                        guard number == 1 else {
                            throw failure(line: number + 1, "a snapshot may only follow the header (line 1)")
                        }
                        guard let snapshot = GraphSnapshot(json: snapshotJSON) else {
                            throw failure(line: number + 1, "the snapshot cannot be read")
                        }
                        if let problem = Self.nameProblem(in: snapshot) { throw failure(line: number + 1, problem) }
                        graph = UnitGraph(snapshot: snapshot, clock: clock)
                        graph.beginReplay()
                        snapshotSequence = snapshot.sequence
                        goodLines += 1
                        continue
                    }
                    guard let general = SyncEvent(json: json) else {
                        throw failure(line: number + 1, "it is not an event")
                    }
                    event = general
                    nameProblem = Self.nameProblem(in: event.kind)
                }
                if let problem = nameProblem { throw failure(line: number + 1, problem) }
                guard event.sequence > lastSequence else {
                    throw failure(
                        line: number + 1,
                        "event \(event.sequence) comes after event \(lastSequence); sequence numbers only grow")
                }
                lastSequence = event.sequence
                goodLines += 1
                let next = graph.nextSequence
                if event.sequence < next {
                    kept.append(lineOffset..<end)  // history the snapshot already includes
                } else if event.sequence == next {
                    switch event.kind {
                    case .registered, .statusChanged:
                        // The replay itself finds a unit registered twice or changed unregistered, without a lookup
                        // of its own; it applies nothing then.
                        guard graph.replayChecked(event) else {
                            throw failure(line: number + 1, Self.stateProblem(of: event.kind, in: graph) ?? "")
                        }
                    default:
                        if let problem = Self.stateProblem(of: event.kind, in: graph) {
                            throw failure(line: number + 1, problem)
                        }
                        graph.replay(event)
                    }
                    kept.append(lineOffset..<end)
                } else {
                    throw failure(line: number + 1, "events \(next)…\(event.sequence - 1) are missing")
                }
            }
        }
        // Edges are only ever added, so a graph without a loop at the end never had one.
        let acyclic = graph.endReplay()
        if !acyclic, let cycle = Self.cycle(in: graph.snapshot.edges) {
            let line = Self.lineClosing(cycle, in: lines.all, snapshotSequence: snapshotSequence)
            throw failure(
                line: line, "it closes a dependency cycle \(cycle.joined(separator: " -> ")), which no want accepts")
        }
        return Reading(
            result: Journal.Contents(
                instance: instance, snapshot: nil,
                events: kept.oldestFirst.compactMap { Self.event(in: UnsafeBufferPointer(rebasing: data[$0])) },
                lines: goodLines,
                droppedTail: dropped,
                graph: graph),
            lineCount: goodLines, tornAt: tornAt, needsHeader: false)
    }

    /// The event a line holds: decoded from its bytes when it has the exact form the agent writes, else through the
    /// JSON parser (a line read once already, decoded again the same way).
    private static func event(in line: UnsafeBufferPointer<UInt8>) -> SyncEvent? {
        if let event = EventLineDecoder.decode(line) { return event }
        return (try? JSON.parse(line)).flatMap { SyncEvent(json: $0) }
    }

    /// The newline-ended lines of a journal's bytes, found with `memchr`.
    private struct Lines {
        let data: UnsafeBufferPointer<UInt8>
        /// Where the bytes after the last newline begin (`data.count` when the last byte is a newline).
        let tail: Int

        init(_ data: UnsafeBufferPointer<UInt8>) {
            self.data = data
            var tail = data.count
            while tail > 0, data[tail - 1] != UInt8(ascii: "\n") { tail -= 1 }
            self.tail = tail
        }

        /// The offset of the newline that ends the line at `offset`, if one does.
        func end(of offset: Int) -> Int? {
            guard offset < data.count, let base = data.baseAddress,
                let found = memchr(base + offset, 0x0A, data.count - offset)
            else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        }

        /// Every line with its offset, the header first.
        var all: [(offset: Int, bytes: UnsafeBufferPointer<UInt8>)] {
            var lines: [(offset: Int, bytes: UnsafeBufferPointer<UInt8>)] = []
            var offset = 0
            while offset < tail, let end = end(of: offset) {
                lines.append((offset, UnsafeBufferPointer(rebasing: data[offset..<end])))
                offset = end + 1
            }
            return lines
        }
    }

    private func failure(line: Int, _ problem: String) -> Journal.Failure {
        Journal.Failure(
            description: "journal \(path) is corrupt at line \(line): \(problem). The file was left untouched; "
                + "move it away to start with an empty graph, or start with --ephemeral")
    }
}
