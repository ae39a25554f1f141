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
    /// Who connected, as the kernel says (`nil` when it could not tell).
    let peer: PeerCredentials?
    /// Why the agent does not serve this connection (another user, too many connections). It is told so as it
    /// connects and closed; none of its frames is handled.
    var refusal: WireError?
    /// `hello` was accepted.
    var greeted = false
    /// The protocol version its `hello` named: it is sent nothing that version does not have.
    var version = ProtocolVersion.current
    /// Closes the connection when no `hello` comes in time.
    var helloTimer: Scheduled<Void>?
    /// Closes the connection when the client stays unable to take its replies for too long.
    var stallTimer: Scheduled<Void>?
    /// Requests still in flight on this connection (parked waits, subscriptions), by request id.
    var inflight: [Int64: InFlight] = [:]
    /// Close once every queued frame is written: the client is done sending and nothing is in flight, or the
    /// agent decided to end the connection.
    var closeWhenIdle = false
    /// Close once every queued frame is written even with requests in flight (their waits end as the connection
    /// closes): the client broke the framing.
    var mustClose = false
    /// Frames read but not handled yet: the client sends faster than it reads its replies (see ``canTakeMore``).
    var backlog = CircularBuffer<InboundFrame>()
    /// A turn that works through the backlog is scheduled.
    var backlogScheduled = false
    /// Bytes queued for this connection in the agent's output and not yet handed to the channel.
    var queuedBytes = 0
    /// Frames and requests of this connection refused as bad or over a limit.
    var refusedFrames = 0
    /// The kinds of refusal already logged for this connection: each is logged once (see `noteRefusal`).
    var loggedRefusals: Set<String> = []
    /// The agent ended the connection; frames for it are discarded.
    private(set) var isClosed = false

    init(id: UInt64, channel: any Channel, peer: PeerCredentials?, linger: TimeAmount) {
        self.id = id
        self.channel = channel
        self.peer = peer
        self.linger = linger
    }

    /// How long a connection being closed may take to receive what is queued for it before it is cut.
    let linger: TimeAmount

    /// Output the agent lets pile up for one connection before it handles no more of its requests: a few bytes
    /// of request (`list`, `history`) can ask for megabytes of reply.
    static let maxQueuedBytes = 4 << 20

    /// Whether the agent may handle another request of this connection now: its replies are being taken.
    var canTakeMore: Bool { channel.isWritable && queuedBytes < Self.maxQueuedBytes }

    /// Frames gathered for this connection's next write (see `AgentCore.deliver`); `nil` when none are.
    var outgoing: ByteBuffer?

    /// Writes the frames in `buffer` and flushes them; then closes when the connection should end.
    func write(_ buffer: ByteBuffer) {
        guard !isClosed else { return }
        let closes = closeWhenIdle && ((inflight.isEmpty && backlog.isEmpty) || mustClose)
        var written: EventLoopFuture<Void>?
        if buffer.readableBytes > 0 {
            // Only a close waits for the write: otherwise no promise (one allocation less per write; a release of
            // 10,000 waiters writes to 10,000 connections in one turn).
            if closes {
                written = channel.writeAndFlush(buffer)
            } else {
                channel.writeAndFlush(buffer, promise: nil)
            }
        }
        if closes {
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
