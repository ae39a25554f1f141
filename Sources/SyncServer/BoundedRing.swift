/// The newest elements appended, at most `capacity` of them: once full, the newest takes the oldest's place. It
/// holds the agent's event history (``EventRing``) and the events a journal reader keeps for that history while it
/// replays a journal that may hold millions (keeping them all took over 100 MiB only to drop them).
struct BoundedRing<Element> {
    let capacity: Int
    private var storage: [Element] = []
    /// Index of the oldest element once the storage is full.
    private var oldest = 0

    /// - Parameter reserving: room made at once (at most `capacity`).
    init(capacity: Int, reserving: Int = 0) {
        precondition(capacity >= 0)
        self.capacity = capacity
        storage.reserveCapacity(min(capacity, reserving))
    }

    var count: Int { storage.count }

    /// The element `offset` places after the oldest (0: the oldest).
    subscript(offset: Int) -> Element { storage[(oldest + offset) % storage.count] }

    var oldestElement: Element? { storage.isEmpty ? nil : self[0] }
    var newestElement: Element? { storage.isEmpty ? nil : self[storage.count - 1] }

    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else if capacity > 0 {
            storage[oldest] = element
            oldest = oldest + 1 == capacity ? 0 : oldest + 1
        }
    }

    /// Changes every element held in place.
    mutating func updateEach(_ body: (inout Element) -> Void) {
        for index in storage.indices { body(&storage[index]) }
    }

    /// The elements held, oldest first.
    var oldestFirst: [Element] { Array(storage[oldest...] + storage[..<oldest]) }

    /// Keeps only the elements `isKept` accepts, in order.
    mutating func keep(where isKept: (Element) -> Bool) {
        storage = oldestFirst.filter(isKept)
        oldest = 0
    }
}
