import SyncCore
import SyncProtocol

/// What a store other than the journal file needs to read its records back the way the journal does.
extension StoredState {
    /// A new random history name (``instance``): 16 hex digits.
    package static func newInstance() -> String { JournalReader.newInstance() }

    /// Rebuilds the state a store holds from its snapshot (if any) and its events, oldest first, with the journal
    /// reader's checks: each event must parse, carry valid names, come after the previous one with no gap, and
    /// describe only what a request could have done; the graph must have no cycle. Events the snapshot already
    /// includes are kept as history.
    /// - Parameter corrupt: the message for a record that fails a check, given the record (`event 12`) and the
    ///   problem.
    /// - Throws: ``StoreFailure`` with that message.
    package static func rebuild(
        instance: String, snapshot: GraphSnapshot?, events: [(sequence: UInt64, json: String)],
        clock: @escaping UnitGraph.Clock, corrupt: (String, String) -> String
    ) throws(StoreFailure) -> StoredState {
        if let snapshot, let problem = JournalReader.nameProblem(in: snapshot) {
            throw StoreFailure(description: corrupt("the snapshot", problem))
        }
        var graph = snapshot.map { UnitGraph(snapshot: $0, clock: clock) } ?? UnitGraph(clock: clock)
        var replayed: [SyncEvent] = []
        var last: UInt64 = 0
        for record in events {
            let name = "event \(record.sequence)"
            guard let json = try? JSON.parse(record.json), let event = SyncEvent(json: json) else {
                throw StoreFailure(description: corrupt(name, "it is not an event"))
            }
            guard event.sequence == record.sequence else {
                throw StoreFailure(description: corrupt(name, "it carries sequence number \(event.sequence)"))
            }
            if let problem = JournalReader.nameProblem(in: event.kind) {
                throw StoreFailure(description: corrupt(name, problem))
            }
            guard event.sequence > last else {
                throw StoreFailure(
                    description: corrupt(name, "it comes after event \(last); sequence numbers only grow"))
            }
            last = event.sequence
            let next = graph.nextSequence
            if event.sequence > next {
                throw StoreFailure(description: corrupt(name, "events \(next)…\(event.sequence - 1) are missing"))
            }
            if event.sequence == next {
                if let problem = JournalReader.stateProblem(of: event.kind, in: graph) {
                    throw StoreFailure(description: corrupt(name, problem))
                }
                graph.replay(event)
            }
            replayed.append(event)
        }
        let rebuilt = graph.snapshot
        if let cycle = JournalReader.cycle(in: rebuilt.edges) {
            throw StoreFailure(
                description: corrupt(
                    "the graph", "it holds a dependency cycle \(cycle.joined(separator: " -> ")), which no want accepts"
                ))
        }
        return StoredState(
            instance: instance, snapshot: rebuilt, events: replayed,
            recordsSinceCompaction: events.count + (snapshot == nil ? 0 : 1))
    }
}
