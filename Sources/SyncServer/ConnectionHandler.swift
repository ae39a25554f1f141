import NIOCore
import SyncCore
import SyncProtocol

/// Feeds one connection's frames to the agent's core and tells it when the connection ends.
/// Runs on the agent's single event loop, like the core itself.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundFrame

    private let core: AgentCore
    private let peer: PeerCredentials?
    private var connection: Connection?

    init(core: AgentCore, peer: PeerCredentials?) {
        self.core = core
        self.peer = peer
    }

    func channelActive(context: ChannelHandlerContext) {
        connection = core.connectionOpened(context.channel, peer: peer)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else { return }
        core.receiveOrHold(unwrapInboundIn(data), on: connection)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        core.flushAll()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, let connection {
            core.closeWhenIdle(connection)
            core.flushAll()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection { core.connectionClosed(connection) }
        connection = nil
        context.fireChannelInactive()
    }

    /// A client that does not read its replies is not read from either until it catches up, so it cannot make
    /// the agent buffer without bound; if it does not catch up within the stall timeout it is disconnected.
    /// Subscribers that fall behind are dropped sooner (see publish).
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let connection { core.writabilityChanged(connection, writable: context.channel.isWritable) }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
