import SyncCore

extension ErrorCode {
    /// The client refused the socket before sending anything: its directory or its server is not the user's or
    /// root's (another user may be passing for the agent), or the path is ambiguous. Never sent by the agent.
    public static let unsafeSocket = ErrorCode("unsafe_socket")
    /// The agent was replaced, while the client waited, by one that does not have the old one's state (a new
    /// `instance` in hello): what the wait was waiting for is unknown to it. Never sent by the agent.
    public static let agentRestarted = ErrorCode("agent_restarted")
}
