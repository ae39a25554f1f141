import NIOCore
import SyncCore

/// The timeouts of parked requests, earliest first: a binary min-heap of (deadline, wait id), ties by id (the
/// order they were parked in). ``ParkedWaits`` arms one event-loop timer for the earliest entry instead of one timer
/// per request: NIO finds a cancelled timer by a linear search of all its timers, so cancelling one per released
/// request made a release of N waiters with timeouts cost O(N²).
struct DeadlineHeap {
    struct Entry {
        var deadline: NIODeadline
        var id: WaitID
    }

    private var entries: [Entry] = []

    var count: Int { entries.count }

    /// The earliest entry.
    var first: Entry? { entries.first }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes the earliest entry out.
    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let first = entries.removeLast()
        var parent = 0
        while true {
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            var smallest = parent
            if left < entries.count, Self.precedes(entries[left], entries[smallest]) { smallest = left }
            if right < entries.count, Self.precedes(entries[right], entries[smallest]) { smallest = right }
            guard smallest != parent else { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    /// Keeps only the entries `keep` accepts (rebuilds the heap: linear).
    mutating func filter(_ keep: (Entry) -> Bool) {
        let kept = entries.filter(keep)
        entries = []
        for entry in kept { push(entry) }
    }

    mutating func removeAll() { entries.removeAll() }

    private static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.id < b.id
    }
}
