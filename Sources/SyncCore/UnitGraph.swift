/// The dependency graph of units: statuses, edges, readiness, parked waits and the events that describe every
/// change. Pure and synchronous; the server owns exactly one and mutates it from one place.
///
/// Edges run from a dependent to its dependency and carry the status the dependency must have. A unit is *ready*
/// when every dependency has exactly its required status; an unknown unit is ready (coder's `agent/unit` rules).
/// Readiness is kept incrementally as a count of unsatisfied edges per unit, so a change costs work proportional
/// to the edges it touches, never to the size of the graph.
///
/// Every mutation goes through ``apply(_:at:)`` and is recorded as a ``SyncEvent``; callers take the new events with
/// ``drainEvents()`` and the waits that ended with ``drainResolutions()``.
public struct UnitGraph: Sendable {
    /// Reads the current time; injected so tests can fix it.
    public typealias Clock = @Sendable () -> Timestamp

    struct UnitRecord: Sendable {
        var status: UnitStatus
        /// Forward edges whose dependency does not have the required status.
        var unmet: Int
        var registeredAt: Timestamp
        var since: Timestamp
        var reason: String?
        var cause: FailureCause?
        /// The token of the start that started it, while it is started.
        var startedBy: String?
        /// The progress note; kept across status changes.
        var note: String?
        /// The latest readiness report; cleared when the unit is started again.
        var readiness: UnitReadiness?
        /// While skipped: the ``failureEpoch`` at which its chain was known to reach a failed unit. Nothing that could
        /// break that chain has happened while the epoch is unchanged, so a new edge onto it needs no search.
        var doomedAt: UInt64?
    }

    /// Keyed by ``UnitKey``: names are compared as bytes, never by Unicode equivalence.
    var units: [UnitKey: UnitRecord] = [:]
    /// unit -> (dependency -> required status)
    var forward: [UnitKey: [UnitKey: UnitStatus]] = [:]
    /// dependency -> (dependent -> required status)
    var reverse: [UnitKey: [UnitKey: UnitStatus]] = [:]
    var waits = WaitBook()
    let clock: Clock
    /// The sequence number the next event gets.
    public internal(set) var nextSequence: UInt64 = 1
    var outbox: [SyncEvent] = []
    var resolutions: [WaitResolution] = []
    /// Status changes not yet settled (waiters, failure propagation, completion waits).
    var unsettled: [(unit: UnitKey, from: UnitStatus?, to: UnitStatus)] = []
    /// Units whose unmet count dropped to zero since the last settle.
    var becameReady: [UnitKey] = []
    /// Every name ranked so that dependencies come first; makes the cycle check of most new edges free.
    var order = TopologicalOrder()
    /// Off while a whole snapshot is loaded: the order is rebuilt once at the end instead of edge by edge.
    var maintainsOrder = true
    /// Off during a bulk replay (see `UnitGraph+Replay.swift`): the unmet counts are computed once at its end
    /// instead of event by event.
    var countsUnmet = true
    /// Set during a bulk replay: the state it keeps by unit id instead of ``units``, ``forward`` and ``reverse``
    /// (see `UnitGraph+Replay.swift`).
    var bulk: BulkReplay?
    /// Edges examined by searches and propagation so far; lets tests check that the work of a request is bounded by
    /// the request, not by the graph.
    var edgeVisits = 0
    /// Counts the changes that can break a failure's chain: a failed or skipped unit changing status, an edge's
    /// required status replaced. See ``UnitRecord/doomedAt``.
    var failureEpoch: UInt64 = 0
    /// Units with parked starts that events of other agents made ready, started or failed (see
    /// `UnitGraph+Foreign.swift`).
    var foreignStarts: Set<UnitKey> = []
    /// The time every event gets while it is set, instead of the clock's (see ``settleForeignStarts(at:)``).
    var pinnedTime: Timestamp?

    /// Creates an empty graph.
    /// - Parameter clock: the time source for events.
    public init(clock: @escaping Clock) {
        self.clock = clock
    }

    // MARK: Queries

    /// The unit's status, or `nil` when it is not registered.
    public func status(of unit: String) -> UnitStatus? {
        if bulk != nil { return bulk!.status(of: unit) }
        return units[UnitKey(unit)]?.status
    }

    /// Whether every dependency of `unit` has its required status. An unregistered unit is ready.
    public func isReady(_ unit: String) -> Bool { (units[UnitKey(unit)]?.unmet ?? 0) == 0 }

    /// Whether `unit` is registered.
    public func isRegistered(_ unit: String) -> Bool {
        if bulk != nil { return bulk!.status(of: unit) != nil }
        return units[UnitKey(unit)] != nil
    }

    /// Number of registered units.
    public var unitCount: Int { units.count }

    /// Number of dependency edges (kept as edges are added, not counted).
    public internal(set) var edgeCount = 0

    /// Registered unit names, sorted bytewise.
    public var unitNames: [String] { units.keys.map(\.name).sorted(by: bytewise) }

    /// Number of dependencies of `unit` (0 for an unknown unit); O(1).
    public func dependencyCount(of unit: String) -> Int { forward[UnitKey(unit)]?.count ?? 0 }

    /// Whether `unit` has an edge to `dependency`; O(1).
    public func hasDependency(_ unit: String, on dependency: String) -> Bool {
        forward[UnitKey(unit)]?[UnitKey(dependency)] != nil
    }

    /// A snapshot of one registered unit, or `nil` when it is not registered.
    public func info(_ unit: String) -> UnitInfo? {
        let key = UnitKey(unit)
        guard let record = units[key] else { return nil }
        return UnitInfo(
            name: unit, status: record.status, isReady: record.unmet == 0, registeredAt: record.registeredAt,
            since: record.since, reason: record.reason, cause: record.cause,
            waiters: waits.startWaiters[key]?.count ?? 0, startedBy: record.startedBy, note: record.note,
            readiness: record.readiness)
    }

    /// Snapshots of all registered units, sorted by name.
    public var allUnits: [UnitInfo] { unitNames.compactMap(info) }

    /// Every dependency of `unit`, sorted by the dependency's name; empty for an unknown unit.
    public func dependencies(of unit: String) -> [DependencyInfo] {
        guard let edges = forward[UnitKey(unit)] else { return [] }
        return edges.map { dependency, required in
            DependencyInfo(
                unit: unit, dependsOn: dependency.name, requiredStatus: required,
                currentStatus: units[dependency]?.status)
        }.sorted { bytewise($0.dependsOn, $1.dependsOn) }
    }

    /// The dependencies of `unit` that are not satisfied, sorted by name.
    public func unmetDependencies(of unit: String) -> [DependencyInfo] {
        guard (units[UnitKey(unit)]?.unmet ?? 0) > 0 else { return [] }
        return dependencies(of: unit).filter { !$0.isSatisfied }
    }

    /// The units that depend on `unit`, sorted by name. `unit` need not be registered.
    public func dependents(of unit: String) -> [String] {
        (reverse[UnitKey(unit)]?.keys).map { $0.map(\.name).sorted(by: bytewise) } ?? []
    }

    /// Number of units that depend on `unit` (0 for a name nothing depends on); O(1).
    public func dependentCount(of unit: String) -> Int { reverse[UnitKey(unit)]?.count ?? 0 }

    /// Whether some registered unit has a dependency; stops at the first one found.
    public var someUnitHasDependencies: Bool {
        forward.contains { unit, dependencies in !dependencies.isEmpty && units[unit] != nil }
    }

    /// Names that appear in some edge but were never registered, sorted.
    public var unregisteredDependencies: [String] {
        reverse.keys.filter { units[$0] == nil }.map(\.name).sorted(by: bytewise)
    }

    // MARK: Events

    /// The events recorded and not yet drained, in sequence order.
    public var pendingEvents: [SyncEvent] { outbox }

    /// The events recorded since the last call, in sequence order.
    public mutating func drainEvents() -> [SyncEvent] {
        defer { outbox.removeAll(keepingCapacity: true) }
        return outbox
    }

    /// The waits that ended since the last call, in the order they ended.
    public mutating func drainResolutions() -> [WaitResolution] {
        defer { resolutions.removeAll(keepingCapacity: true) }
        return resolutions
    }

    /// Records a change: applies it and appends its event to the outbox.
    mutating func record(_ kind: SyncEvent.Kind) {
        let now = pinnedTime ?? clock()
        apply(kind, at: now)
        outbox.append(SyncEvent(sequence: nextSequence, time: now, kind: kind))
        nextSequence += 1
    }

    /// Replays an event recorded earlier (from a journal) without side effects on waits.
    ///
    /// Events must be replayed in sequence order; the graph continues numbering after the last one.
    public mutating func replay(_ event: SyncEvent) {
        apply(event.kind, at: event.time)
        replayed(event)
    }

    /// What follows every replayed event: numbering goes on after it, and nothing is left queued.
    private mutating func replayed(_ event: SyncEvent) {
        nextSequence = max(nextSequence, event.sequence + 1)
        // Kept allocated: a restart replays a million events, one status change each (and in a bulk replay nothing
        // is queued: the check costs less than emptying an empty array).
        if !unsettled.isEmpty { unsettled.removeAll(keepingCapacity: true) }
        if !becameReady.isEmpty { becameReady.removeAll(keepingCapacity: true) }
    }

    /// Replays `event` as ``replay(_:)`` does, unless it registers a unit already registered or changes the status
    /// of a unit that is not: such an event is not applied. The check costs no lookup of its own (a restart replays
    /// a million events).
    /// - Returns: whether the event was applied (always, for the other kinds).
    public mutating func replayChecked(_ event: SyncEvent) -> Bool {
        guard apply(event.kind, at: event.time) else { return false }
        replayed(event)
        return true
    }

    /// The only place that changes units and edges; keeps the unmet counts true.
    /// - Returns: `false` when it changed nothing because the event registers a unit already registered or changes
    ///   the status of a unit that is not registered.
    @discardableResult
    mutating func apply(_ kind: SyncEvent.Kind, at time: Timestamp) -> Bool {
        if bulk != nil { return bulk!.apply(kind, at: time) }
        switch kind {
        case .registered(let name):
            let unit = UnitKey(name)
            guard units[unit] == nil else { return false }
            if maintainsOrder { order.placeOnTop(unit) }
            var unmet = 0
            for (dependency, required) in countsUnmet ? forward[unit] ?? [:] : [:]
            where units[dependency]?.status != required {
                unmet += 1
            }
            units[unit] = UnitRecord(status: .pending, unmet: unmet, registeredAt: time, since: time)
            statusDidChange(unit, from: nil, to: .pending)
        case .dependencyAdded(let name, let dependencyName, let required):
            let unit = UnitKey(name)
            let dependency = UnitKey(dependencyName)
            let previous: UnitStatus?
            if maintainsOrder {
                // The order's search walks the edges as they were before this one.
                previous = forward[unit]?[dependency]
                orderEdge(unit, dependency)
                forward[unit, default: [:]][dependency] = required
            } else {
                // A bulk replay or a snapshot's load: the edge set and the previous value read in one lookup.
                previous = forward[unit, default: [:]].updateValue(required, forKey: dependency)
            }
            if previous == nil { edgeCount += 1 } else if previous != required { failureEpoch += 1 }
            reverse[dependency, default: [:]][unit] = required
            guard countsUnmet else { return true }
            let current = units[dependency]?.status
            if adjust(unit, wasSatisfied: previous.map { current == $0 } ?? true, isSatisfied: current == required),
                waits.startWaiters[unit] != nil
            {
                becameReady.append(unit)
            }
        case .statusChanged(let name, _, let to, let reason, let cause, let token):
            let unit = UnitKey(name)
            // Changed in place through its index: one lookup, and no copy of the record (a replay makes a million
            // of these).
            guard let index = units.index(forKey: unit) else { return false }
            let from = units.values[index].status
            if from.isFailure, from != to { failureEpoch += 1 }
            let rootFailed =
                cause.map { !sameBytes($0.root, name) && units[UnitKey($0.root)]?.status == .failed } ?? false
            let doomedAt = to == .skipped && rootFailed ? failureEpoch : nil
            Self.change(
                &units.values[index], to: to, at: time, reason: reason, cause: cause, by: token, doomedAt: doomedAt)
            statusDidChange(unit, from: from, to: to)
        case .noted(let name, let note):
            units[UnitKey(name)]?.note = note
        case .readiness(let name, let report):
            let unit = UnitKey(name)
            guard let startedAt = units[unit]?.since else { return true }
            units[unit]?.readiness = UnitReadiness(report: report, startedAt: startedAt)
        case .waitBegan, .waitEnded:
            break
        }
        return true
    }

    /// Sets a record's status and what goes with it, in place.
    static func change(
        _ record: inout UnitRecord, to: UnitStatus, at time: Timestamp, reason: String?, cause: FailureCause?,
        by token: String?, doomedAt: UInt64?
    ) {
        record.status = to
        record.since = time
        record.reason = to == .failed ? reason : nil
        record.cause = to == .skipped ? cause?.compact : nil
        record.startedBy = to == .started ? token : nil
        if to == .started { record.readiness = nil }
        record.doomedAt = doomedAt
    }

    private mutating func statusDidChange(_ unit: UnitKey, from: UnitStatus?, to: UnitStatus) {
        guard countsUnmet else { return }
        var ready: [UnitKey] = []
        for (dependent, required) in reverse[unit] ?? [:] {
            edgeVisits += 1
            if adjust(dependent, wasSatisfied: from == required, isSatisfied: to == required) {
                ready.append(dependent)
            }
        }
        // Only units with parked starts have anything to release; sorted, so waits are released and events recorded
        // in the same order on every run. Sorting just those keeps a change of a unit with many dependents linear.
        if !ready.isEmpty, !waits.startWaiters.isEmpty {
            becameReady += ready.filter { waits.startWaiters[$0] != nil }.sortedBytewise()
        }
        unsettled.append((unit, from, to))
    }

    /// Counts an edge of `unit` that became satisfied or unsatisfied. - Returns: whether `unit` just became ready.
    @discardableResult
    private mutating func adjust(_ unit: UnitKey, wasSatisfied: Bool, isSatisfied: Bool) -> Bool {
        guard wasSatisfied != isSatisfied, let index = units.index(forKey: unit) else { return false }
        units.values[index].unmet += isSatisfied ? -1 : 1
        return units.values[index].unmet == 0
    }
}

/// Orders strings by their UTF-8 bytes, as Go's `sort.Strings` does (coder sorts its lists this way).
public func bytewise(_ a: String, _ b: String) -> Bool {
    // Native strings hold contiguous UTF-8: compare the buffers directly. The generic UTF8View walk took ~18 % of
    // the agent's CPU answering `list` with 10,000 units.
    // Sorting the units a release makes ready compares their names: the common prefix is skipped eight bytes at a
    // time.
    let result = a.utf8.withContiguousStorageIfAvailable { left in
        b.utf8.withContiguousStorageIfAvailable { right in
            let shorter = min(left.count, right.count)
            let index = firstDifference(UnsafeRawBufferPointer(left), UnsafeRawBufferPointer(right), count: shorter)
            return index < shorter ? left[index] < right[index] : left.count < right.count
        }
    }
    return (result ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
}
