import SyncCore

/// Which agent made each unit's last change, in a graph several agents share (the `origin` of each stored event:
/// `sync-agent pid N on HOST`), as `list` and `status` show it (`changed_by`).
///
/// A unit's change is any stored event about it but the bookkeeping of parked starts (`wait_began`,
/// `wait_ended`): registered, a dependency added, a status, a note, a readiness report. Only committed events are
/// recorded. A unit the agent only knows from a snapshot (a compaction replaced its events) has none. One entry per
/// unit; each distinct origin is kept once (there are as many as agents ever wrote).
package struct UnitOrigins: Sendable {
    private var byUnit: [String: String] = [:]
    private var known: Set<String> = []

    package init() {}

    /// Records that `origin` stored `event`.
    package mutating func record(_ event: SyncEvent, by origin: String) {
        switch event.kind {
        case .waitBegan, .waitEnded: return
        default: break
        }
        let (inserted, kept) = known.insert(origin)
        byUnit[event.unit] = inserted ? origin : kept
    }

    /// The origin of `unit`'s last change, if known.
    package subscript(unit: String) -> String? { byUnit[unit] }
}
