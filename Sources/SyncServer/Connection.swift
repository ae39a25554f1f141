import NIOCore
import SyncCore
import SyncProtocol

/// One client connection, as the agent's core sees it. Lives on the agent's event loop.
final class Connection {
    /// What a request still in flight is waiting for.
    enum InFlight {
        case wait(WaitID)
        case subscription
    }

    let id: UInt64
    let channel: any Channel
    /// `hello` was accepted.
    var greeted = false
    /// Requests still in flight on this connection (parked waits, subscriptions), by request id.
    var inflight: [Int64: InFlight] = [:]
    /// Close once every queued frame is written: the client is done sending and nothing is in flight, or the
    /// agent decided to end the connection.
    var closeWhenIdle = false
    /// The agent ended the connection; frames for it are discarded.
    private(set) var isClosed = false

    init(id: UInt64, channel: any Channel, linger: TimeAmount) {
        self.id = id
        self.channel = channel
        self.linger = linger
    }

    /// How long a connection being closed may take to receive what is queued for it before it is cut.
    let linger: TimeAmount

    /// Writes frames and flushes them; then closes when the connection should end.
    func write(_ frames: [String]) {
        guard !isClosed else { return }
        let size = frames.reduce(0) { $0 + $1.utf8.count }
        var written: EventLoopFuture<Void>?
        if size > 0 {
            var buffer = channel.allocator.buffer(capacity: size)
            for frame in frames { buffer.writeString(frame) }
            written = channel.writeAndFlush(buffer)
        }
        if closeWhenIdle && inflight.isEmpty {
            // An empty write completes after every earlier one: the close waits for all of them.
            close(after: written ?? channel.writeAndFlush(channel.allocator.buffer(capacity: 0)))
        }
    }

    /// Ends the connection once what was written has left (a close drops unsent data), or after
    /// ``linger`` when the client does not read it.
    private func close(after written: EventLoopFuture<Void>) {
        guard !isClosed else { return }
        isClosed = true
        let channel = self.channel
        let cut = channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
        written.whenComplete { _ in
            cut.cancel()
            channel.close(promise: nil)
        }
    }
}
