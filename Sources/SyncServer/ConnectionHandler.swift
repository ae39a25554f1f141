import NIOCore
import SyncCore
import SyncProtocol

/// Feeds one connection's frames to the agent's core and tells it when the connection ends.
/// Runs on the agent's single event loop, like the core itself.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundFrame

    private let core: AgentCore
    private var connection: Connection?

    init(core: AgentCore) {
        self.core = core
    }

    func channelActive(context: ChannelHandlerContext) {
        connection = core.connectionOpened(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else { return }
        switch unwrapInboundIn(data) {
        case .frame(let buffer):
            core.receive(buffer, on: connection)
        case .oversized(let size):
            core.refuseOversizedFrame(size, on: connection)
        }
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
    /// the agent buffer without bound. Subscribers that fall behind are dropped instead (see publish).
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.channel.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        if context.channel.isWritable { context.read() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
