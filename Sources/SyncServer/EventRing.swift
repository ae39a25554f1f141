/// The most recent events, encoded (or deferred until read, see ``EncodedEvent/init(deferring:)``), for subscribers
/// that resume with `since` and for `history`. Bounded: the oldest event makes room for the newest.
struct EventRing {
    /// One event: its sequence number and its compact JSON.
    typealias Entry = EncodedEvent

    private var ring: BoundedRing<Entry>

    init(capacity: Int) {
        precondition(capacity > 0)
        ring = BoundedRing(capacity: capacity, reserving: 4096)
    }

    var capacity: Int { ring.capacity }
    var count: Int { ring.count }

    /// The sequence number of the oldest event held, if any.
    var firstSequence: UInt64? { ring.oldestElement?.sequence }

    mutating func append(_ entry: Entry) {
        ring.append(entry)
    }

    /// Encodes every event held whose encoding was deferred (``EncodedEvent/init(deferring:)``), so that reading
    /// the whole history again costs no encoding.
    mutating func encodeAll() {
        ring.updateEach { $0.encodeNow() }
    }

    /// Every event after `sequence`, oldest first, or `nil` when the ring no longer holds all of them.
    /// - Parameter latest: the sequence number of the newest event the graph has recorded.
    func entries(after sequence: UInt64, latest: UInt64) -> [Entry]? {
        if sequence >= latest { return sequence == latest ? [] : nil }
        guard let first = firstSequence, first <= sequence + 1 else { return nil }
        let skip = Int(sequence + 1 - first)
        return (skip..<ring.count).map { ring[$0] }
    }

    /// Forgets the events after `sequence` (they were never stored: see `AgentCore+JournalFailure.swift`).
    mutating func removeAll(after sequence: UInt64) {
        guard let last = ring.newestElement, last.sequence > sequence else { return }
        ring.keep { $0.sequence <= sequence }
    }

    /// All entries, oldest first.
    var all: [Entry] { ring.oldestFirst }
}
