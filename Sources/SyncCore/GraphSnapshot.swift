/// The whole state of a graph at one sequence number: what a subscriber receives before the events that follow.
public struct GraphSnapshot: Sendable, Equatable {
    /// The sequence number of the last event the snapshot includes (0 for an empty graph).
    public var sequence: UInt64
    /// Every registered unit, sorted by name.
    public var units: [UnitInfo]
    /// Every dependency edge, sorted by unit then dependency.
    public var edges: [DependencyEdge]

    public init(sequence: UInt64, units: [UnitInfo], edges: [DependencyEdge]) {
        self.sequence = sequence
        self.units = units
        self.edges = edges
    }
}

/// One dependency edge: `unit` needs `dependsOn` to reach `required`.
public struct DependencyEdge: Sendable, Hashable {
    public var unit: String
    public var dependsOn: String
    public var required: UnitStatus

    public init(unit: String, dependsOn: String, required: UnitStatus = .completed) {
        self.unit = unit
        self.dependsOn = dependsOn
        self.required = required
    }
}

extension UnitGraph {
    /// The current state as a snapshot.
    public var snapshot: GraphSnapshot {
        let edges = forward.sorted { bytewise($0.key.name, $1.key.name) }.flatMap { unit, dependencies in
            dependencies.sorted { bytewise($0.key.name, $1.key.name) }.map {
                DependencyEdge(unit: unit.name, dependsOn: $0.key.name, required: $0.value)
            }
        }
        return GraphSnapshot(sequence: nextSequence - 1, units: allUnits, edges: edges)
    }

    /// A graph holding the state of `snapshot` (without parked waits); new events continue after its sequence.
    ///
    /// Clients use it as a local mirror: load a snapshot, then ``replay(_:)`` each event that follows.
    public init(snapshot: GraphSnapshot, clock: @escaping Clock) {
        self.init(clock: clock)
        maintainsOrder = false
        for unit in snapshot.units {
            apply(.registered(unit: unit.name), at: unit.registeredAt)
        }
        for edge in snapshot.edges {
            apply(.dependencyAdded(unit: edge.unit, dependsOn: edge.dependsOn, required: edge.required), at: .init())
        }
        for unit in snapshot.units {
            if unit.status != .pending {
                apply(
                    .statusChanged(
                        unit: unit.name, from: .pending, to: unit.status, reason: unit.reason, cause: unit.cause,
                        by: unit.startedBy),
                    at: unit.since)
            }
            units[UnitKey(unit.name)]?.since = unit.since
            units[UnitKey(unit.name)]?.note = unit.note
            units[UnitKey(unit.name)]?.readiness = unit.readiness
        }
        rebuildOrder()
        maintainsOrder = true
        nextSequence = snapshot.sequence + 1
        unsettled.removeAll()
        becameReady.removeAll()
    }
}

extension Timestamp {
    /// The epoch.
    public init() { self.init(microseconds: 0) }
}
