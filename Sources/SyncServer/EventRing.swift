/// The most recent events, already encoded, for subscribers that resume with `since`. Bounded: the oldest event
/// makes room for the newest.
struct EventRing {
    /// One event: its sequence number and its compact JSON.
    typealias Entry = EncodedEvent

    let capacity: Int
    private var storage: [Entry] = []
    /// Index of the oldest entry once the storage is full.
    private var oldest = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        storage.reserveCapacity(min(capacity, 4096))
    }

    var count: Int { storage.count }

    /// The sequence number of the oldest event held, if any.
    var firstSequence: UInt64? { storage.isEmpty ? nil : storage[oldest].sequence }

    mutating func append(_ entry: Entry) {
        if storage.count < capacity {
            storage.append(entry)
        } else {
            storage[oldest] = entry
            oldest = (oldest + 1) % capacity
        }
    }

    /// Every event after `sequence`, oldest first, or `nil` when the ring no longer holds all of them.
    /// - Parameter latest: the sequence number of the newest event the graph has recorded.
    func entries(after sequence: UInt64, latest: UInt64) -> [Entry]? {
        if sequence >= latest { return sequence == latest ? [] : nil }
        guard let first = firstSequence, first <= sequence + 1 else { return nil }
        let skip = Int(sequence + 1 - first)
        return (skip..<storage.count).map { storage[(oldest + $0) % storage.count] }
    }

    /// Forgets the events after `sequence` (they were never stored: see `AgentCore+JournalFailure.swift`).
    mutating func removeAll(after sequence: UInt64) {
        guard let last = storage.isEmpty ? nil : storage[(oldest + storage.count - 1) % storage.count],
            last.sequence > sequence
        else { return }
        storage = all.filter { $0.sequence <= sequence }
        oldest = 0
    }

    /// All entries, oldest first.
    var all: [Entry] { (0..<storage.count).map { storage[(oldest + $0) % storage.count] } }
}
