import NIOCore
import SyncCore
import SyncProtocol

extension AgentCore {
    /// Answers every parked request with `shutting_down` and closes every connection.
    /// - Returns: a future that completes when every connection is closed.
    func shutDown() -> EventLoopFuture<Void> {
        shuttingDown = true
        for (waitID, request) in parked.sorted(by: { $0.key < $1.key }) {
            request.timer?.cancel()
            graph.endWait(waitID, outcome: .disconnected)
            let message = "the agent is shutting down; request \(request.requestID) was not finished"
            finish(request, with: .error(request.requestID, WireError(.shuttingDown, message)))
        }
        parked.removeAll()
        afterChange()
        let closed = connections.values.map { connection -> EventLoopFuture<Void> in
            connection.flush()
            return connection.channel.close().recover { _ in }
        }
        return EventLoopFuture.andAllSucceed(closed, on: loop)
    }
}
