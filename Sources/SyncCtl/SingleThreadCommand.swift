import SyncClient
import SyncProtocol

/// A command that can run on the main thread alone, before the program starts any other thread
/// (``SingleThreadRequest``): `complete`, `want` and `ping`, one request each, and `start`, whose wait gains most.
/// Its output and exit status are those of the usual path.
protocol SingleThreadCommand {
    /// Runs the command on this thread if it can.
    /// - Returns: `false` when it must run the usual way instead (no agent answered; nothing was sent).
    /// - Throws: ``CommandFailure``, as the usual path does.
    func runOnThisThread() throws -> Bool
}

extension GlobalOptions {
    /// Sends `request` on this thread alone (``SingleThreadRequest``).
    /// - Returns: the agent's reply, or `nil` when no agent answered and nothing was sent (the usual path then
    ///   connects, starting an agent if it may).
    /// - Throws: ``CommandFailure`` with `prefix`, as ``withClient(prefix:startingAgent:_:)`` does.
    func replyOnThisThread(prefix: String, to request: Request.Body) throws -> Reply? {
        switch SingleThreadRequest(socketPath: socket).run({ _ in request }) {
        case .replied(let reply): return reply
        case .notConnected: return nil
        case .failed(let error): throw CommandFailure(error, prefix: prefix, socket: socket)
        case .lost(let loss): throw CommandFailure(loss.error, prefix: prefix, socket: socket)
        }
    }
}
