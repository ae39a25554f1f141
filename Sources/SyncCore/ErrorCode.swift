/// A stable, machine-readable error code. It travels on the wire and scripts may branch on it; the human message
/// that goes with it may change, the code does not.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

extension ErrorCode {
    /// A unit name is empty, too long or contains a control character.
    public static let invalidName = ErrorCode("invalid_name")
    /// The unit must be registered first (`complete`/`fail` of a unit nobody registered).
    public static let notRegistered = ErrorCode("not_registered")
    /// `register` of a unit that is already registered (manager level only; the service ignores it).
    public static let alreadyRegistered = ErrorCode("already_registered")
    /// The unit already has the status that was asked for.
    public static let sameStatus = ErrorCode("same_status")
    /// The dependency would close a loop.
    public static let cycleDetected = ErrorCode("cycle_detected")
    /// The unit's dependencies are not satisfied (only for a start that asked not to wait).
    public static let notReady = ErrorCode("not_ready")
    /// The unit is not `started` (a readiness report about a unit that is pending or already finished).
    public static let notStarted = ErrorCode("not_started")
    /// A unit this one depends on, directly or through a chain, failed or was skipped.
    public static let dependencyFailed = ErrorCode("dependency_failed")
    /// A waited-for unit failed or was skipped (`wait`).
    public static let unitFailed = ErrorCode("unit_failed")
    /// The wait's timeout expired.
    public static let timeout = ErrorCode("timeout")
    /// The wait was cancelled by its client.
    public static let cancelled = ErrorCode("cancelled")
    /// A configured limit was reached; the request was refused and nothing changed.
    public static let limitExceeded = ErrorCode("limit_exceeded")
}
