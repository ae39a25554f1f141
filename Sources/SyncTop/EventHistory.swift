import SyncCore

/// One line of the dashboard's history: an event from the agent, or a note of its own (a reconnect, a resync).
public enum HistoryEntry: Sendable, Equatable {
    case event(SyncEvent)
    case note(time: Timestamp, text: String)

    /// When it happened.
    public var time: Timestamp {
        switch self {
        case .event(let event): event.time
        case .note(let time, _): time
        }
    }

    /// The unit it is about; `nil` for a note.
    public var unit: String? {
        if case .event(let event) = self { return event.unit }
        return nil
    }
}

/// The most recent history entries: at least the last `limit`, and never more than an eighth over it (older ones
/// are dropped in batches, so appending stays O(1) amortised). Each entry keeps an id, its position since the
/// history began, so a selection survives dropping.
public struct EventHistory: Sendable, Equatable {
    /// How many entries are kept.
    public let limit: Int
    private var storage: [HistoryEntry] = []
    /// The id of `storage[0]`.
    public private(set) var firstID = 0
    /// The ids of the kept entries about each unit, oldest first, so a unit's history costs what it holds.
    private var byUnit: [UnitKey: [Int]] = [:]
    /// The agent that made each kept event, by entry id, when the agent said (a shared store): see ``origin(of:)``.
    private var origins: [Int: String] = [:]

    public init(limit: Int = 10_000) {
        self.limit = max(1, limit)
    }

    /// The kept entries, oldest first.
    public var entries: ArraySlice<HistoryEntry> { storage[...] }

    /// Number of kept entries.
    public var count: Int { storage.count }

    /// The id the next entry gets.
    public var endID: Int { firstID + storage.count }

    /// The entry with `id`, if still kept.
    public subscript(id: Int) -> HistoryEntry? {
        let index = id - firstID
        return storage.indices.contains(index) ? storage[index] : nil
    }

    /// Appends an entry, dropping the oldest ones once the history is an eighth over its limit.
    /// - Parameter origin: the agent that made the event, on a shared store.
    public mutating func append(_ entry: HistoryEntry, origin: String? = nil) {
        if let origin { origins[endID] = origin }
        if let unit = entry.unit { byUnit[UnitKey(unit), default: []].append(endID) }
        storage.append(entry)
        if storage.count > limit + limit / 8 {
            let excess = storage.count - limit
            let dropped = storage.prefix(excess).compactMap { entry in entry.unit.map { UnitKey($0) } }
            for unit in Set(dropped) {
                let ids = byUnit[unit]!
                let kept = ids.drop { $0 < firstID + excess }
                byUnit[unit] = kept.isEmpty ? nil : Array(kept)
            }
            storage.removeFirst(excess)
            firstID += excess
            if !origins.isEmpty { origins = origins.filter { $0.key >= firstID } }
        }
    }

    /// The agent that made the event of entry `id` (`sync-agent pid 4242 on host-b`), when it is kept and the agent
    /// said.
    public func origin(of id: Int) -> String? { origins[id] }

    /// The kept entries about `unit`, oldest first.
    public func entries(about unit: String) -> [HistoryEntry] { entries(about: unit, last: .max) }

    /// The newest `count` kept entries about `unit`, oldest first; costs what they are, not the whole history.
    public func entries(about unit: String, last count: Int) -> [HistoryEntry] {
        (byUnit[UnitKey(unit)] ?? []).suffix(count).map { storage[$0 - firstID] }
    }

    public static func == (a: EventHistory, b: EventHistory) -> Bool {
        a.limit == b.limit && a.firstID == b.firstID && a.storage == b.storage && a.origins == b.origins
    }
}
