import NIOCore
import SyncCore
import SyncProtocol

extension AgentCore {
    /// Answers every parked request and subscription with `shutting_down`, waits until the journal holds every
    /// change and every frame has left, then closes every connection.
    /// - Returns: a future that completes when every connection is closed.
    func shutDown() -> EventLoopFuture<Void> {
        shuttingDown = true
        for (waitID, request) in parked.takeAll() {
            endWaitInGraph(waitID, outcome: .disconnected)
            let message = "the agent is shutting down; request \(request.requestID) was not finished"
            finish(request, waitID, with: .error(request.requestID, WireError(.shuttingDown, message)))
        }
        for subscription in subscriptions.takeAll() {
            guard let connection = connections[subscription.connection] else { continue }
            connection.inflight[subscription.requestID] = nil
            let message = "the agent is shutting down; subscribe again when it is back"
            send(.error(subscription.requestID, WireError(.shuttingDown, message)), to: connection)
        }
        afterChange()
        flushAll()
        let drained = loop.makePromise(of: Void.self)
        whenOutputDrained { drained.succeed() }
        let core = NIOLoopBound(self, eventLoop: loop)
        return drained.futureResult.flatMap {
            let core = core.value
            let closed = core.connections.values.map { $0.channel.close().recover { _ in } }
            return EventLoopFuture.andAllSucceed(closed, on: core.loop)
        }
    }
}
