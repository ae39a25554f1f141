import SyncCore
import SyncOS
import SyncProtocol

/// The errors a connection to the agent reports about the connection itself, shared by ``SyncConnection`` and
/// ``SingleThreadStart`` so that both say the same thing in the same words.
extension SyncConnection {
    /// The `unreachable` error for a failed connect, with coder's wording.
    static func unreachable(_ socketPath: SocketPath, code: Int32) -> WireError {
        WireError(
            .unreachable,
            "connect to agent socket: connect to socket: dial unix \(socketPath.path): connect: "
                + Posix.errorText(code), posixError: code)
    }

    /// The `unreachable` error of a hello that got no answer in time.
    static func helloUnanswered(_ socketPath: SocketPath, within limit: Duration) -> WireError {
        let waited = DurationText.short(microseconds: limit.milliseconds * 1000)
        return WireError(.unreachable, "the agent at \(socketPath.path) did not answer hello within \(waited)")
    }

    /// The `unreachable` error of a connection that ended while requests were in flight.
    static func lostConnection(_ socketPath: SocketPath) -> WireError {
        WireError(.unreachable, "lost the connection to the agent at \(socketPath.path)")
    }

    /// The `bad_reply` error for a reply or push of request `id` that cannot be decoded: what was wrong, from which request,
    /// and what to do.
    static func unreadable(
        _ error: WireError, what: String, of request: Request.Body, id: Int64, socketPath: SocketPath,
        clientName: String
    ) -> WireError {
        let program = clientName.split(separator: " ").first.map(String.init) ?? clientName
        return WireError(
            .badReply,
            "the agent at \(socketPath.path) sent \(what) to \(request.type) (request \(id)) that \(program) "
                + "cannot read: \(error.message). Check that sync-agent and \(program) are the same version "
                + "(this is \(ProtocolVersion.productVersion))",
            requestID: id)
    }

    /// The `bad_frame` error of a frame larger than `limit` bytes.
    static func oversizedFrame(_ limit: Int) -> WireError {
        WireError(.badFrame, "the agent sent a frame larger than \(limit) bytes")
    }

    /// The `bad_frame` error of a frame that is neither a reply nor a push: not the agent speaking.
    static func foreignFrame(_ count: Int, socketPath: SocketPath) -> WireError {
        WireError(
            .badFrame,
            "the agent at \(socketPath.path) sent a frame that is not a reply or a push "
                + "(\(count) bytes); is something else listening on the socket?")
    }
}
