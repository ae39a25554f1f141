import SyncCore

/// Which agent made each unit's last change, in a graph several agents share (the `origin` of each stored event:
/// `sync-agent pid N on HOST`), as `list` and `status` show it (`changed_by`).
///
/// A unit's change is any stored event about it but the bookkeeping of parked starts (`wait_began`,
/// `wait_ended`): registered, a dependency added, a status, a note, a readiness report. Only committed events are
/// recorded. A unit the agent only knows from a snapshot (a compaction replaced its events) has none. One entry per
/// unit, and one per event for the ``recentEvents`` most recent (any kind: the stream's `origin`); each distinct
/// origin is kept once (there are as many as agents ever wrote).
package struct UnitOrigins: Sendable {
    private var byUnit: [String: String] = [:]
    private var known: Set<String> = []
    /// The origins of the most recent events, by sequence number (see ``origin(ofEvent:)``).
    private var bySequence: [UInt64: String] = [:]

    /// How many of the most recent events' origins are kept: more than a catch-up reads but after a long cut.
    package static let recentEvents: UInt64 = 16_384

    package init() {}

    /// Records that `origin` stored `event`.
    package mutating func record(_ event: SyncEvent, by origin: String) {
        let (inserted, kept) = known.insert(origin)
        let shared = inserted ? origin : kept
        bySequence[event.sequence] = shared
        if event.sequence > Self.recentEvents { bySequence[event.sequence - Self.recentEvents] = nil }
        switch event.kind {
        case .waitBegan, .waitEnded: return
        default: break
        }
        byUnit[event.unit] = shared
    }

    /// The origin of event `sequence`, when it is one of the ``recentEvents`` most recent recorded.
    package func origin(ofEvent sequence: UInt64) -> String? { bySequence[sequence] }

    /// The origin of `unit`'s last change, if known.
    package subscript(unit: String) -> String? { byUnit[unit] }
}
