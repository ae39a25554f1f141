import SyncCore

/// The newest events of a run, at most `capacity` of them: what a journal reader keeps for the agent's history
/// while it replays a journal that may hold millions (keeping them all took over 100 MiB only to drop them).
struct NewestEvents {
    let capacity: Int
    private var storage: [SyncEvent] = []
    /// Where the oldest event is, once the storage is full.
    private var oldest = 0

    init(capacity: Int) {
        precondition(capacity >= 0)
        self.capacity = capacity
    }

    mutating func append(_ event: SyncEvent) {
        if storage.count < capacity {
            storage.append(event)
        } else if capacity > 0 {
            storage[oldest] = event
            oldest = oldest + 1 == capacity ? 0 : oldest + 1
        }
    }

    /// The events kept, oldest first.
    var oldestFirst: [SyncEvent] { Array(storage[oldest...] + storage[..<oldest]) }
}
