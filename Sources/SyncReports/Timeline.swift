import SyncCore

/// When each unit waited and ran, built from events: the data behind `syncctl timeline` and the dashboard's Gantt
/// view. Pure: it never reads a clock; open intervals (a wait or a run still going on) are measured up to the `now`
/// each query is given.
///
/// Build it from an optional starting ``GraphSnapshot`` and the events that follow it, or keep one up to date with
/// ``record(_:)`` as events arrive. A snapshot does not say when waits began or when finished units started; such
/// times are `nil`, except that a unit with parked starts in the snapshot is taken as waiting since its last status
/// change.
public struct Timeline: Sendable, Equatable {
    /// What is known about one registered unit's life.
    public struct Entry: Sendable, Equatable {
        /// The unit.
        public let unit: String
        /// Its status now.
        public internal(set) var status: UnitStatus
        /// When it was registered.
        public internal(set) var registeredAt: Timestamp
        /// When its parked `start` began waiting (the first of several parked together; a retry's wait replaces an
        /// earlier one); `nil` when it never waited or the wait predates a snapshot.
        public internal(set) var waitBeganAt: Timestamp?
        /// When that wait ended; `nil` while it goes on or when it never waited.
        public internal(set) var waitEndedAt: Timestamp?
        /// When it last became `started`; `nil` when it never started (or started before a snapshot and ended).
        public internal(set) var startedAt: Timestamp?
        /// When it last became `completed`, `failed` or `skipped`; `nil` while it has not ended.
        public internal(set) var endedAt: Timestamp?

        /// Whether the unit's current run reported readiness (it is a service that becomes ready); a new start
        /// clears it.
        public internal(set) var reportedReadiness = false

        /// When the service became ready: the moment a unit that reported readiness was completed; else `nil`.
        public var readyAt: Timestamp? { reportedReadiness && status == .completed ? endedAt : nil }

        /// `completed`, `failed` or `skipped` once the unit ended, else `nil`.
        public var endStatus: UnitStatus? { endedAt == nil ? nil : status }

        /// Whether a parked start of the unit is waiting now.
        public var isWaiting: Bool { waitBeganAt != nil && waitEndedAt == nil }

        /// The end of the wait: when it ended, or `now` while it goes on; `nil` when it never waited.
        public func waitEnd(now: Timestamp) -> Timestamp? {
            guard waitBeganAt != nil else { return nil }
            return waitEndedAt ?? now
        }

        /// The end of the run: when the unit ended, or `now` while it runs; `nil` when it never started.
        public func runEnd(now: Timestamp) -> Timestamp? {
            guard startedAt != nil else { return nil }
            return endedAt ?? now
        }

        /// Microseconds spent waiting (up to `now` while waiting); `nil` when it never waited.
        public func waitDuration(now: Timestamp) -> Int64? {
            guard let began = waitBeganAt, let end = waitEnd(now: now) else { return nil }
            return max(0, began.microseconds(to: end))
        }

        /// Microseconds spent running (up to `now` while running); `nil` when it never started.
        public func runDuration(now: Timestamp) -> Int64? {
            guard let started = startedAt, let end = runEnd(now: now) else { return nil }
            return max(0, started.microseconds(to: end))
        }

        /// The earliest time known for the unit: its wait, its start or its registration.
        public var firstActivity: Timestamp { min(registeredAt, waitBeganAt ?? registeredAt) }
    }

    /// unit -> entry, for registered units only (names compared as bytes).
    public private(set) var entries: [UnitKey: Entry] = [:]
    /// unit -> its dependencies (from edges), registered or not.
    private var dependencySets: [UnitKey: Set<UnitKey>] = [:]

    /// An empty timeline.
    public init() {}

    /// A timeline from a starting snapshot (optional) and the events that follow it, in sequence order.
    public init(snapshot: GraphSnapshot? = nil, events: some Sequence<SyncEvent>) {
        if let snapshot { merge(snapshot) }
        for event in events { record(event) }
    }

    /// Registered units ordered by when they first did something (registration or wait), then by name.
    public var units: [Entry] {
        entries.values.sorted { a, b in
            a.firstActivity != b.firstActivity ? a.firstActivity < b.firstActivity : bytewise(a.unit, b.unit)
        }
    }

    /// The entry of `unit`, or `nil` when it is not registered.
    public subscript(unit: String) -> Entry? { entries[UnitKey(unit)] }

    /// The dependencies of `unit` known from edges, registered or not, sorted bytewise.
    public func dependencies(of unit: String) -> [String] {
        (dependencySets[UnitKey(unit)] ?? []).map(\.name).sorted(by: bytewise)
    }

    /// Applies one event. Events must come in sequence order.
    ///
    /// A transition to `started` begins a new run (a retry clears the previous end); one to `completed`, `failed`
    /// or `skipped` ends it; one back to `pending` clears the run. A wait ending on a unit that ended skipped keeps
    /// its end time.
    public mutating func record(_ event: SyncEvent) {
        switch event.kind {
        case .registered(let unit):
            guard entries[UnitKey(unit)] == nil else { return }
            entries[UnitKey(unit)] = Entry(unit: unit, status: .pending, registeredAt: event.time)
        case .dependencyAdded(let unit, let dependency, _):
            dependencySets[UnitKey(unit), default: []].insert(UnitKey(dependency))
        case .statusChanged(let unit, _, let to, _, _, _):
            entries[UnitKey(unit)]?.transition(to: to, at: event.time)
        case .waitBegan(let name, _):
            let unit = UnitKey(name)
            // A second parked start while one waits joins that wait; after a wait ended (a retry) a new one begins.
            guard var entry = entries[unit], !entry.isWaiting else { return }
            entry.waitBeganAt = event.time
            entry.waitEndedAt = nil
            entries[unit] = entry
        case .waitEnded(let name, _):
            let unit = UnitKey(name)
            guard var entry = entries[unit], entry.waitBeganAt != nil, entry.waitEndedAt == nil else { return }
            entry.waitEndedAt = event.time
            entries[unit] = entry
        case .readiness(let unit, _):
            entries[UnitKey(unit)]?.reportedReadiness = true
        case .noted:
            break
        }
    }

    /// Brings the timeline in line with `snapshot`, keeping what the events already told: a known unit whose status
    /// changed meanwhile moves to its new status at the snapshot's `since` (closing an open wait there). Units the
    /// snapshot does not have, or registered anew, start from the snapshot alone; edges are replaced.
    ///
    /// Used at start-up and when a subscriber resynchronises after missing events.
    public mutating func merge(_ snapshot: GraphSnapshot) {
        var merged: [UnitKey: Entry] = [:]
        for info in snapshot.units {
            var entry =
                entries[UnitKey(info.name)].flatMap { $0.registeredAt == info.registeredAt ? $0 : nil }
                ?? Entry(unit: info.name, status: .pending, registeredAt: info.registeredAt)
            if entry.status != info.status { entry.transition(to: info.status, at: info.since) }
            if let readiness = info.readiness {
                entry.reportedReadiness = true
                if entry.startedAt == nil, info.status != .pending { entry.startedAt = readiness.startedAt }
            }
            if info.waiters > 0, !entry.isWaiting {
                entry.waitBeganAt = info.since
                entry.waitEndedAt = nil
            } else if info.waiters == 0, let began = entry.waitBeganAt, entry.isWaiting {
                // The wait ended while nobody was listening (cancelled or timed out): when is unknown.
                entry.waitEndedAt = max(began, info.since)
            }
            merged[UnitKey(info.name)] = entry
        }
        entries = merged
        dependencySets = [:]
        for edge in snapshot.edges { dependencySets[UnitKey(edge.unit), default: []].insert(UnitKey(edge.dependsOn)) }
    }

    /// The time the whole start-up covers: from the earliest known activity to the latest end, or to `now` while
    /// any unit is still waiting or running. `nil` when no unit is registered.
    public func span(now: Timestamp) -> (start: Timestamp, end: Timestamp)? {
        guard let start = entries.values.map(\.firstActivity).min() else { return nil }
        var end = start
        for entry in entries.values {
            let open = entry.isWaiting || (entry.startedAt != nil && entry.endedAt == nil)
            end = max(end, open ? now : entry.endedAt ?? entry.registeredAt)
        }
        return (start, max(start, end))
    }

    /// The chain of units that set the length of the start-up, root first.
    ///
    /// It starts at the unit that finished last (a unit still running counts as finishing at `now`; ties go to the
    /// one that started first, then by name) and repeatedly steps to the dependency that finished last before that
    /// unit started: the one that gated it. It stops at a unit that did not wait, or whose gating dependency is
    /// unknown. Units that never started (pending or skipped) are never on it. Empty when nothing started.
    public func criticalPath(now: Timestamp) -> [String] {
        let ran = entries.values.filter { $0.startedAt != nil }
        guard
            var current = ran.max(by: { a, b in
                let (endA, endB) = (a.runEnd(now: now)!, b.runEnd(now: now)!)
                if endA != endB { return endA < endB }
                if a.startedAt! != b.startedAt! { return a.startedAt! > b.startedAt! }
                return bytewise(b.unit, a.unit)
            })
        else { return [] }
        var path = [current.unit]
        var visited: Set<UnitKey> = [UnitKey(current.unit)]
        while current.waitBeganAt != nil, let started = current.startedAt,
            let gate = gatingDependency(of: current.unit, startedAt: started, visited: visited)
        {
            path.append(gate.unit)
            visited.insert(UnitKey(gate.unit))
            current = gate
        }
        return path.reversed()
    }

    /// The dependency of `unit` that ended last at or before `startedAt` (ties by name).
    private func gatingDependency(of unit: String, startedAt: Timestamp, visited: Set<UnitKey>) -> Entry? {
        (dependencySets[UnitKey(unit)] ?? [])
            .compactMap { entries[$0] }
            .filter { !visited.contains(UnitKey($0.unit)) && ($0.endedAt.map { $0 <= startedAt } ?? false) }
            .max { a, b in a.endedAt! != b.endedAt! ? a.endedAt! < b.endedAt! : bytewise(b.unit, a.unit) }
    }
}

extension Timeline.Entry {
    init(unit: String, status: UnitStatus, registeredAt: Timestamp) {
        self.unit = unit
        self.status = status
        self.registeredAt = registeredAt
    }

    /// Moves the entry to `status` at `time`.
    mutating func transition(to status: UnitStatus, at time: Timestamp) {
        self.status = status
        switch status {
        case .pending:
            startedAt = nil
            endedAt = nil
        case .started:
            startedAt = time
            endedAt = nil
            reportedReadiness = false
            if isWaiting { waitEndedAt = time }
        case .completed, .failed, .skipped:
            endedAt = time
            if isWaiting { waitEndedAt = time }
        }
    }
}
