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

    init(id: UInt64, channel: any Channel) {
        self.id = id
        self.channel = channel
    }

    /// Writes frames and flushes them; then closes when the connection should end.
    func write(_ frames: [String]) {
        guard !isClosed else { return }
        let size = frames.reduce(0) { $0 + $1.utf8.count }
        if size > 0 {
            var buffer = channel.allocator.buffer(capacity: size)
            for frame in frames { buffer.writeString(frame) }
            channel.writeAndFlush(buffer, promise: nil)
        }
        if closeWhenIdle && inflight.isEmpty { close() }
    }

    /// Ends the connection after what was written.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        channel.close(promise: nil)
    }
}
