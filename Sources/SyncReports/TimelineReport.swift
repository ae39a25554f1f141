import SyncCore

/// How the start-up went, unit by unit: when each unit was registered, how long it waited for its dependencies,
/// how long it ran, and the critical path. The data behind `syncctl timeline`, built from a ``Timeline`` at a
/// given `now`; it renders itself as a table with a Gantt chart fitted to a width (``text(width:ascii:)``).
///
/// Times are microseconds from ``start``, the earliest thing any unit did. Pure: it never reads a clock.
public struct TimelineReport: Sendable, Equatable {
    /// One unit's life, in microseconds from the report's ``TimelineReport/start``.
    public struct Row: Sendable, Equatable {
        /// The unit.
        public var unit: String
        /// Its status at `now`.
        public var status: UnitStatus
        /// When it was registered.
        public var registered: Int64
        /// When its `start` began waiting for dependencies; `nil` when it never waited (or the wait is unknown).
        public var waitBegan: Int64?
        /// When that wait ended; `nil` while it goes on or when it never waited.
        public var waitEnded: Int64?
        /// When it (last) started; `nil` when it never started.
        public var started: Int64?
        /// When it ended (completed, failed or skipped); `nil` while it has not.
        public var ended: Int64?
        /// Time spent waiting, up to `now` while it still waits; `nil` when it never waited.
        public var waited: Int64?
        /// Time spent running, up to `now` while it still runs; `nil` when it never started.
        public var ran: Int64?
        /// Whether the unit is on the critical path.
        public var isCritical: Bool
        /// The reason given to `fail`, when the unit failed and the snapshot said why.
        public var reason: String?
        /// Why the unit was skipped, when the snapshot said.
        public var cause: FailureCause?
        /// Its dependencies, sorted, registered or not.
        public var dependencies: [String]
        /// When the service became ready: a unit whose run reported readiness, then completed; `nil` otherwise.
        public var ready: Int64? = nil

        /// Whether its `start` is waiting at `now`.
        public var isWaiting: Bool { waitBegan != nil && waitEnded == nil }
        /// Whether it is running at `now`.
        public var isRunning: Bool { started != nil && ended == nil }
    }

    /// The earliest activity of any unit: time zero of the report.
    public let start: Timestamp
    /// The time open waits and runs are measured up to.
    public let now: Timestamp
    /// From ``start`` to the last end, or to `now` while anything still waits or runs.
    public let span: Int64
    /// One row per registered unit, ordered by when it first did something, then by name.
    public let rows: [Row]
    /// The chain that decided when the last unit finished, root first (see ``Timeline/criticalPath(now:)``);
    /// empty when nothing started.
    public let criticalPath: [String]
    /// From the start of the path's first unit to the end of its last (to `now` while it runs); 0 when empty.
    public let criticalPathDuration: Int64

    /// The report of `timeline` at `now`. `snapshot`, when given, supplies what events do not keep: the reasons
    /// of failed units and the causes of skipped ones.
    public init(timeline: Timeline, now: Timestamp, snapshot: GraphSnapshot? = nil) {
        let span = timeline.span(now: now)
        let start = span?.start ?? now
        let path = timeline.criticalPath(now: now)
        let onPath = Set(path.map { UnitKey($0) })
        let infos = Dictionary((snapshot?.units ?? []).map { (UnitKey($0.name), $0) }, uniquingKeysWith: { $1 })
        func offset(_ time: Timestamp?) -> Int64? { time.map { start.microseconds(to: $0) } }
        self.start = start
        self.now = now
        self.span = span.map { $0.start.microseconds(to: $0.end) } ?? 0
        criticalPath = path
        if let first = path.first.flatMap({ timeline[$0]?.startedAt }),
            let last = path.last.flatMap({ timeline[$0]?.runEnd(now: now) })
        {
            criticalPathDuration = max(0, first.microseconds(to: last))
        } else {
            criticalPathDuration = 0
        }
        rows = timeline.units.map { entry in
            Row(
                unit: entry.unit, status: entry.status, registered: start.microseconds(to: entry.registeredAt),
                waitBegan: offset(entry.waitBeganAt), waitEnded: offset(entry.waitEndedAt),
                started: offset(entry.startedAt), ended: offset(entry.endedAt), waited: entry.waitDuration(now: now),
                ran: entry.runDuration(now: now), isCritical: onPath.contains(UnitKey(entry.unit)),
                reason: infos[UnitKey(entry.unit)]?.reason, cause: infos[UnitKey(entry.unit)]?.cause,
                dependencies: timeline.dependencies(of: entry.unit), ready: offset(entry.readyAt))
        }
    }

    /// The report of what the agent holds: `events` (oldest first, as `history` returns them) replayed, then
    /// brought in line with the current `snapshot`, so units whose early events the agent no longer holds still
    /// appear (with what the snapshot knows of them).
    public init(snapshot: GraphSnapshot, events: [SyncEvent], now: Timestamp) {
        var timeline = Timeline(events: events)
        timeline.merge(snapshot)
        self.init(timeline: timeline, now: now, snapshot: snapshot)
    }

    /// `now` as an offset from ``start``: where open waits and runs end.
    public var nowOffset: Int64 { start.microseconds(to: now) }

    /// `git-clone -> claude (14.2s of 15.0s)`, or `nothing has started yet`.
    public var criticalPathSummary: String {
        guard !criticalPath.isEmpty else { return "nothing has started yet" }
        let total = DurationText.short(microseconds: span)
        return criticalPath.joined(separator: " -> ")
            + " (\(DurationText.short(microseconds: criticalPathDuration)) of \(total))"
    }
}
