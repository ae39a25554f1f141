/// The parked waits of a ``UnitGraph``: starts waiting for a unit to become ready, and completion waits for a set
/// of units to complete. Indexed by unit so a change finds its waits without scanning.
struct WaitBook: Sendable {
    struct StartWait: Sendable {
        var unit: UnitKey
        var dependencies: [String]
        var unsatisfied: [String]
        var token: String?
    }

    struct CompletionWait: Sendable {
        var units: [String]
        var remaining: Set<UnitKey>
    }

    var starts: [WaitID: StartWait] = [:]
    /// unit -> parked starts, oldest first.
    var startWaiters: [UnitKey: [WaitID]] = [:]
    var completions: [WaitID: CompletionWait] = [:]
    /// unit -> completion waits that include it.
    var completionWatchers: [UnitKey: Set<WaitID>] = [:]

    mutating func park(
        start id: WaitID, unit: UnitKey, dependencies: [String], unsatisfied: [String], token: String? = nil
    ) {
        starts[id] = StartWait(unit: unit, dependencies: dependencies, unsatisfied: unsatisfied, token: token)
        startWaiters[unit, default: []].append(id)
    }

    /// Removes a parked start. - Returns: its unit, or `nil` when it was not parked.
    @discardableResult
    mutating func unpark(start id: WaitID) -> UnitKey? {
        guard let wait = starts.removeValue(forKey: id) else { return nil }
        startWaiters[wait.unit]?.removeAll { $0 == id }
        if startWaiters[wait.unit]?.isEmpty == true { startWaiters[wait.unit] = nil }
        return wait.unit
    }

    /// Removes every parked start of `unit` at once. - Returns: their ids and waits, oldest first.
    mutating func unparkStarts(of unit: UnitKey) -> [(id: WaitID, wait: StartWait)] {
        // One removal for the unit, not one lookup per start (a `complete` may release thousands of units).
        guard let ids = startWaiters.removeValue(forKey: unit) else { return [] }
        return ids.compactMap { id in starts.removeValue(forKey: id).map { (id, $0) } }
    }

    mutating func park(completion id: WaitID, units: [String], remaining: [String]) {
        completions[id] = CompletionWait(units: units, remaining: Set(remaining.map { UnitKey($0) }))
        for unit in units { completionWatchers[UnitKey(unit), default: []].insert(id) }
    }

    /// Removes a completion wait. - Returns: whether it was parked.
    @discardableResult
    mutating func unpark(completion id: WaitID) -> Bool {
        guard let wait = completions.removeValue(forKey: id) else { return false }
        for unit in wait.units.map({ UnitKey($0) }) {
            completionWatchers[unit]?.remove(id)
            if completionWatchers[unit]?.isEmpty == true { completionWatchers[unit] = nil }
        }
        return true
    }

    /// Notes that `unit` completed. - Returns: all the wait's units when nothing remains.
    mutating func markCompleted(_ unit: UnitKey, in id: WaitID) -> [String]? {
        guard completions[id] != nil else { return nil }
        completions[id]!.remaining.remove(unit)
        return completions[id]!.remaining.isEmpty ? completions[id]!.units : nil
    }

    /// Notes that `unit` left `completed` (it was started again).
    mutating func markIncomplete(_ unit: UnitKey, in id: WaitID) {
        completions[id]?.remaining.insert(unit)
    }
}
