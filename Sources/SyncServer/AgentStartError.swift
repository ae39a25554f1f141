/// The agent could not start listening. The message says what happened, to which path, and what to do next.
public struct AgentStartError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
