import NIOCore
import SyncCore
import SyncProtocol

/// One client connection, as the agent's core sees it. Lives on the agent's event loop.
final class Connection {
    let id: UInt64
    let channel: any Channel
    /// `hello` was accepted.
    var greeted = false
    /// Requests still in flight on this connection (parked waits), by request id.
    var inflight: [Int64: WaitID] = [:]
    /// The client shut down its sending side; close once nothing is in flight.
    var inputClosed = false
    /// Frames were written since the last flush.
    private(set) var needsFlush = false

    init(id: UInt64, channel: any Channel) {
        self.id = id
        self.channel = channel
    }

    /// Queues one frame; ``flush()`` sends it.
    func send(_ message: ServerMessage) {
        let text = message.frame
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.write(buffer, promise: nil)
        needsFlush = true
    }

    /// Sends what was queued; closes the connection when the client is done sending and nothing is in flight.
    func flush() {
        if needsFlush {
            needsFlush = false
            channel.flush()
        }
        if inputClosed && inflight.isEmpty {
            channel.close(promise: nil)
        }
    }
}
