import SyncCore
import SyncReports

/// Everything the dashboard shows, and its UI state. Pure: it is fed inputs (``apply(_:)``), keys
/// (``handle(_:)``) and the time (``tick(now:)``), never reads a clock or a socket, and is drawn by ``Renderer``.
///
/// ``version`` changes whenever something visible changes, so the loop draws only then.
public struct DashboardModel: Sendable {
    /// What the data comes from (the socket path, or the replay file), shown in the header.
    public let source: String
    /// A mirror of the agent's graph.
    public private(set) var graph: UnitGraph
    /// Waits and runs per unit.
    public private(set) var timeline = Timeline()
    /// Recent events and notes, for the event log and per-unit histories.
    public private(set) var history: EventHistory
    /// When each unit's row last changed (by the event's time).
    public private(set) var changedAt: [UnitKey: Timestamp] = [:]
    /// Which agent made each unit's last change, on a shared store (the snapshot's `changed_by`, then each event's
    /// `origin`); empty otherwise.
    public private(set) var changedBy: [UnitKey: String] = [:]
    /// The units table's rows in order, kept event by event for the status and name sorts (see ``UnitOrder``);
    /// for the other sorts it is kept in the status order, for the header's counts.
    var unitOrder: UnitOrder?
    /// The dependency tree's shape, built when first drawn and replaced when a unit or an edge is added.
    var treeShape = TreeShapeCache()
    /// The stream's health.
    public private(set) var connection: ConnectionState = .connecting
    /// The sequence of the last event applied or of the last snapshot; `nil` before any.
    public private(set) var lastSequence: UInt64?
    /// Changes on every visible change.
    public private(set) var version: UInt64 = 0
    /// The time the dashboard shows and measures open intervals to.
    public private(set) var now: Timestamp
    /// The local time zone's offset from UTC in seconds, for clocks.
    public var utcOffset: Int = 0
    /// The terminal size the layout is for.
    public internal(set) var screen = Size(width: 80, height: 24)

    // MARK: UI state

    /// The view shown.
    public internal(set) var view: DashboardView = .units
    /// The selected unit, by name so it survives re-sorting; shared by the units, tree and timeline views.
    public internal(set) var selectedUnit: String?
    /// The tree line under the cursor (its path), so a unit listed twice can be told apart.
    public internal(set) var treeCursor: String?
    /// The history entry under the log's cursor; `nil` follows the newest.
    public internal(set) var logCursor: Int?
    /// The first row shown, per view.
    public internal(set) var scrollTop: [DashboardView: Int] = [:]
    public internal(set) var sortKey: SortKey = .status
    public internal(set) var sortAscending = true
    /// Shows only units whose name or status contains it (case-insensitive).
    public internal(set) var filter = ""
    /// Whether keys are typed into the filter.
    public internal(set) var isEditingFilter = false
    /// While paused, inputs wait in ``queued`` and are applied on resume.
    public internal(set) var isPaused = false
    /// Inputs that arrived while paused.
    public private(set) var queued: [DashboardInput] = []
    public internal(set) var showsHelp = false
    /// Whether the units view shows the detail pane (when there is room).
    public internal(set) var showsDetail = true
    /// How long a changed row stays highlighted, in microseconds.
    public var highlightDuration: Int64 = 3_000_000

    /// An empty dashboard.
    /// - Parameters:
    ///   - source: shown in the header.
    ///   - now: the time to start from.
    ///   - historyLimit: how many history entries to keep.
    public init(source: String, now: Timestamp, historyLimit: Int = 10_000) {
        self.source = source
        self.now = now
        graph = UnitGraph(clock: { Timestamp() })
        history = EventHistory(limit: historyLimit)
        reorder()
    }

    /// Applies one input, or queues it while paused (connection changes are shown at once even then).
    public mutating func apply(_ input: DashboardInput) {
        if isPaused {
            if case .connection(let state) = input {
                setConnection(state)
            } else {
                queued.append(input)
            }
            touch()
            return
        }
        switch input {
        case .snapshot(let snapshot): load(snapshot)
        case .event(let event, let origin): record(event, origin: origin)
        case .connection(let state): setConnection(state)
        }
    }

    /// Sets the time. Redraws (a new ``version``) when the shown second changes.
    public mutating func tick(now: Timestamp) {
        let changed = now.rawValue / 1_000_000 != self.now.rawValue / 1_000_000
        self.now = now
        if changed { touch() }
    }

    /// Sets the terminal size.
    public mutating func resize(to size: Size) {
        guard size != screen else { return }
        screen = size
        touch()
    }

    /// Pauses, or resumes and applies everything queued meanwhile.
    public mutating func togglePause() {
        isPaused.toggle()
        if !isPaused {
            let pending = queued
            queued.removeAll()
            for input in pending { apply(input) }
        }
        touch()
    }

    /// Whether `unit`'s row changed within ``highlightDuration`` of ``now``.
    public func isHighlighted(_ unit: String) -> Bool {
        guard let changed = changedAt[UnitKey(unit)] else { return false }
        let age = changed.microseconds(to: now)
        return age >= 0 && age < highlightDuration
    }

    /// Marks a visible change.
    mutating func touch() { version &+= 1 }

    // MARK: Inputs

    private mutating func load(_ snapshot: GraphSnapshot) {
        let previous = graph
        let units = snapshot.units.count
        if let last = lastSequence, snapshot.sequence < last {
            note("agent state was reset (sequence \(snapshot.sequence) < \(last)): \(units) units", at: now)
            timeline = Timeline(snapshot: snapshot, events: [])
            changedAt.removeAll()
        } else {
            if let last = lastSequence, snapshot.sequence > last {
                note("resynchronised at #\(snapshot.sequence): missed #\(last + 1) to #\(snapshot.sequence)", at: now)
            } else if lastSequence == nil {
                note("snapshot at #\(snapshot.sequence): \(units) units", at: now)
            }
            timeline.merge(snapshot)
            if lastSequence != nil {
                // What changed while we were away is highlighted like a live change.
                for info in snapshot.units where previous.status(of: info.name) != info.status {
                    changedAt[UnitKey(info.name)] = info.since
                }
            }
        }
        graph = UnitGraph(snapshot: snapshot, clock: { Timestamp() })
        changedBy = [:]
        for info in snapshot.units {
            if let origin = info.changedBy { changedBy[UnitKey(info.name)] = origin }
        }
        treeShape = TreeShapeCache()
        unitOrder = nil
        reorder()
        lastSequence = snapshot.sequence
        touch()
    }

    private mutating func record(_ event: SyncEvent, origin: String? = nil) {
        if let last = lastSequence, event.sequence <= last { return }
        graph.replay(event)
        if unitOrder != nil {
            unitOrder!.update(event.unit, in: graph)
            if case .dependencyAdded(_, let dependency, _) = event.kind { unitOrder!.update(dependency, in: graph) }
        }
        switch event.kind {
        case .registered, .dependencyAdded: treeShape = TreeShapeCache()
        default: break
        }
        timeline.record(event)
        history.append(.event(event), origin: origin)
        switch (event.kind, origin) {
        case (.waitBegan, _), (.waitEnded, _), (_, nil): break
        case (_, let origin?): changedBy[UnitKey(event.unit)] = origin
        }
        changedAt[UnitKey(event.unit)] = event.time
        lastSequence = event.sequence
        touch()
    }

    private mutating func setConnection(_ state: ConnectionState) {
        guard state != connection else { return }
        switch (connection, state) {
        case (_, .reconnecting(let since, 1)):
            note("connection lost; reconnecting", at: since)
        case (.reconnecting, .live), (.stale, .live):
            note("live again", at: now)
        case (_, .stale(let since, let reason)):
            note("stale: \(reason)", at: since)
        default:
            break
        }
        connection = state
        touch()
    }

    private mutating func note(_ text: String, at time: Timestamp) {
        history.append(.note(time: time, text: text))
    }
}
