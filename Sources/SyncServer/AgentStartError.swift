/// The agent could not start listening. The message says what happened, to which path, and what to do next.
public struct AgentStartError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Whether the socket or the journal is held by another agent: it is there and live, or holds the lock.
    /// (A process forked by this one holds copies of its descriptors, and so its locks, until it execs.)
    public var isInUse: Bool

    public init(_ message: String, isInUse: Bool = false) {
        self.message = message
        self.isInUse = isInUse
    }

    public var description: String { message }
}
