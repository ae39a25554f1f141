/// One change to the unit graph. Every mutation produces events; the stream, the journal and the dashboard are
/// built on them, and replaying them in order into an empty ``UnitGraph`` rebuilds the same graph.
public struct SyncEvent: Sendable, Equatable {
    /// Strictly increasing, without gaps, starting at 1 for a new graph.
    public var sequence: UInt64
    /// When the change happened, by the graph's clock.
    public var time: Timestamp
    /// What changed.
    public var kind: Kind

    public init(sequence: UInt64, time: Timestamp, kind: Kind) {
        self.sequence = sequence
        self.time = time
        self.kind = kind
    }

    /// What changed.
    public enum Kind: Sendable, Equatable {
        /// The unit became known with status `pending`.
        case registered(unit: String)
        /// `unit` now depends on `dependsOn` reaching `required` (re-adding an edge with another status replaces it).
        case dependencyAdded(unit: String, dependsOn: String, required: UnitStatus)
        /// The unit's status changed. `reason` is what `fail` was given; `cause` says why a unit was skipped; `by` is
        /// the token of the `start` that started it, so that start can be retried after a reconnect.
        case statusChanged(
            unit: String, from: UnitStatus?, to: UnitStatus, reason: String?, cause: FailureCause?, by: String? = nil)
        /// A `start` of the unit is parked on the agent until these dependencies are satisfied.
        case waitBegan(unit: String, unsatisfied: [String])
        /// A parked `start` of the unit ended, with this outcome.
        case waitEnded(unit: String, outcome: WaitOutcome)
        /// The unit's progress note became `note` (one line, at most ``UnitGraph/maxNoteBytes``); `nil` cleared it.
        case noted(unit: String, note: String?)
        /// The started unit's service reported what it still waits for (see ``ReadinessReport``).
        case readiness(unit: String, ReadinessReport)
    }

    /// The unit the event is about.
    public var unit: String {
        switch kind {
        case .registered(let unit), .dependencyAdded(let unit, _, _), .statusChanged(let unit, _, _, _, _, _),
            .waitBegan(let unit, _), .waitEnded(let unit, _), .noted(let unit, _),
            .readiness(let unit, _):
            return unit
        }
    }
}

/// How a parked `start` ended.
public enum WaitOutcome: String, Sendable, Hashable, CaseIterable {
    /// Its dependencies were satisfied and the unit was marked started in the same step.
    case started
    /// Another `start` of the same unit won; this one was refused with `same status already set`.
    case refused
    /// A unit in its dependency chain failed or was skipped.
    case dependencyFailed = "dependency_failed"
    /// Its timeout expired.
    case timeout
    /// Its client cancelled it.
    case cancelled
    /// Its client went away.
    case disconnected
}

/// Identifies one parked wait; chosen by the caller (the server), unique among live waits.
public struct WaitID: RawRepresentable, Hashable, Sendable, Comparable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: WaitID, rhs: WaitID) -> Bool { lhs.rawValue < rhs.rawValue }
}
