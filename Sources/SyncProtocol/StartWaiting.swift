/// What a waiting `start` waits for: its `waiting` push.
public struct StartWaiting: Sendable, Equatable {
    public var unit: String
    /// Every dependency of the unit, sorted.
    public var dependencies: [String]
    /// The dependencies not satisfied yet, sorted.
    public var unsatisfied: [String]

    public init(unit: String, dependencies: [String], unsatisfied: [String]) {
        self.unit = unit
        self.dependencies = dependencies
        self.unsatisfied = unsatisfied
    }
}
