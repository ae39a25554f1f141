@preconcurrency import Glibc
import Logging
import NIOCore

/// Stops accepting for a moment when `accept` fails for lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
/// ENOMEM). The listener stays readable while connections wait, so without a pause the event loop would retry at
/// once, in a busy loop, for as long as the shortage lasts. Connections wait in the backlog meanwhile; everything
/// else goes on. Lives on the listener's pipeline, on the agent's event loop.
final class AcceptPause: ChannelInboundHandler {
    typealias InboundIn = any Channel

    /// How long accepting pauses after a failure.
    static let pause = TimeAmount.milliseconds(100)

    private let logger: Logger
    private var failures = 0
    private var paused = false

    init(logger: Logger) { self.logger = logger }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let failure = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(failure.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        failures += 1
        if AdmissionControl.isWorthLogging(failures) {
            logger.warning(
                "cannot accept connections for now; pausing 100 ms (raise ulimit -n or lower --max-connections)",
                metadata: ["error": "\(failure)", "times": "\(failures)"])
        }
        guard !paused else { return }
        paused = true
        // Turning autoRead off takes the listener out of the poll set; turning it on again reads (accepts) anew.
        let channel = context.channel
        channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.pause) {
            handler.value.paused = false
            channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        }
    }
}
