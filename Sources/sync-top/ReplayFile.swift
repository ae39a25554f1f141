import SyncCore
import SyncProtocol
import SyncTop

/// A recorded stream for `--replay`: JSON lines, an optional first line that is a snapshot
/// (`{"sequence":…,"units":…,"edges":…}`), then events as `SyncEvent.json` writes them (the journal and
/// `syncctl watch -o json` use the same form). Blank lines are skipped.
struct ReplayFile: Sendable, Equatable {
    /// The starting snapshot, if the file has one.
    var snapshot: GraphSnapshot?
    /// The events, in file order.
    var events: [SyncEvent]

    /// A line that is neither a snapshot nor an event.
    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var problem: String
        var description: String { "line \(line): \(problem)" }
    }

    /// Parses the text of a replay file.
    /// - Throws: ``ParseError`` naming the first bad line.
    init(text: String) throws(ParseError) {
        var snapshot: GraphSnapshot?
        var events: [SyncEvent] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            guard !trimmed.isEmpty else { continue }
            let json: JSON
            do {
                json = try JSON.parse(String(trimmed))
            } catch {
                throw ParseError(line: index + 1, problem: "not JSON: \(error)")
            }
            if json["units"] != nil, snapshot == nil, events.isEmpty, let first = GraphSnapshot(json: json) {
                snapshot = first
            } else if let event = SyncEvent(json: json) {
                events.append(event)
            } else {
                throw ParseError(line: index + 1, problem: "neither a snapshot (first line only) nor an event")
            }
        }
        self.snapshot = snapshot
        self.events = events
    }

    /// Everything in the file as dashboard inputs.
    var inputs: [DashboardInput] { (snapshot.map { [.snapshot($0)] } ?? []) + events.map { .event($0) } }

    /// The time the recording starts: the newest change in the snapshot or the first event, whichever is earlier.
    var startTime: Timestamp {
        [events.first?.time, snapshot?.units.map(\.since).max()].compactMap { $0 }.min() ?? Timestamp()
    }

    /// The time of the last thing recorded.
    var endTime: Timestamp { events.last?.time ?? startTime }
}
