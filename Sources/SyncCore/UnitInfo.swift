/// One dependency edge as `status` shows it.
public struct DependencyInfo: Sendable, Equatable {
    /// The dependent unit.
    public var unit: String
    /// The unit it depends on.
    public var dependsOn: String
    /// The status `dependsOn` must have (always `completed` from `want`).
    public var requiredStatus: UnitStatus
    /// The status `dependsOn` has now; `nil` when it is not registered.
    public var currentStatus: UnitStatus?
    /// `currentStatus == requiredStatus` (exact match, as coder).
    public var isSatisfied: Bool { currentStatus == requiredStatus }

    public init(unit: String, dependsOn: String, requiredStatus: UnitStatus, currentStatus: UnitStatus?) {
        self.unit = unit
        self.dependsOn = dependsOn
        self.requiredStatus = requiredStatus
        self.currentStatus = currentStatus
    }
}

/// A snapshot of one registered unit.
public struct UnitInfo: Sendable, Equatable {
    public var name: String
    public var status: UnitStatus
    /// Every dependency is at its required status (independent of the unit's own status, as coder).
    public var isReady: Bool
    /// When it was registered.
    public var registeredAt: Timestamp
    /// When its status last changed.
    public var since: Timestamp
    /// The reason given to `fail`, while the unit is `failed`.
    public var reason: String?
    /// Why it was skipped, while the unit is `skipped`.
    public var cause: FailureCause?
    /// Parked `start` requests of this unit.
    public var waiters: Int
    /// The token of the start that started it, while it is started.
    public var startedBy: String?
    /// The progress note given to `note` ("migrating 3/10"), whatever the status; `nil` when none.
    public var note: String?
    /// The latest readiness report of the service the unit stands for, from the moment its supervisor reports one
    /// until the unit is started again; `nil` when none.
    public var readiness: UnitReadiness?
    /// Which agent made the unit's last change (`sync-agent pid N on HOST`), from an agent that shares its graph
    /// with others through a store; `nil` otherwise, or when not known.
    public var changedBy: String?

    public init(
        name: String, status: UnitStatus, isReady: Bool, registeredAt: Timestamp, since: Timestamp,
        reason: String? = nil, cause: FailureCause? = nil, waiters: Int = 0, startedBy: String? = nil,
        note: String? = nil, readiness: UnitReadiness? = nil, changedBy: String? = nil
    ) {
        self.changedBy = changedBy
        self.startedBy = startedBy
        self.note = note
        self.readiness = readiness
        self.name = name
        self.status = status
        self.isReady = isReady
        self.registeredAt = registeredAt
        self.since = since
        self.reason = reason
        self.cause = cause
        self.waiters = waiters
    }
}

/// What `start` did.
public enum StartOutcome: Sendable, Equatable {
    /// The unit was ready and is now `started`.
    case started(StartInfo)
    /// The unit is not ready; the start is parked until it is, and will be resolved through
    /// ``UnitGraph/drainResolutions()``.
    case parked(dependencies: [String], unsatisfied: [String])
}

/// A successful start.
public struct StartInfo: Sendable, Equatable {
    /// The unit.
    public var unit: String
    /// All its dependencies, sorted bytewise.
    public var dependencies: [String]
    /// The dependencies that were unsatisfied when the start arrived (empty when it did not wait), sorted.
    public var unsatisfiedAtStart: [String]
    /// Whether the start was parked before it was released.
    public var waited: Bool

    public init(unit: String, dependencies: [String], unsatisfiedAtStart: [String], waited: Bool) {
        self.unit = unit
        self.dependencies = dependencies
        self.unsatisfiedAtStart = unsatisfiedAtStart
        self.waited = waited
    }
}

/// What a completion wait (`wait`) did.
public enum CompletionOutcome: Sendable, Equatable {
    /// Every unit is already completed.
    case done(units: [String])
    /// Parked until these units complete (sorted); resolved through ``UnitGraph/drainResolutions()``.
    case parked(remaining: [String])
}

/// The end of a parked wait, to be delivered to whoever asked.
public struct WaitResolution: Sendable, Equatable {
    public var id: WaitID
    public var result: Result<Success, SyncError>

    public init(id: WaitID, result: Result<Success, SyncError>) {
        self.id = id
        self.result = result
    }

    /// A wait that ended well.
    public enum Success: Sendable, Equatable {
        /// A parked start: the unit is now `started`.
        case started(StartInfo)
        /// A completion wait: all these units are `completed`.
        case completed(units: [String])
    }
}
