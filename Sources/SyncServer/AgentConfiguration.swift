import Logging
import SyncCore
import SyncProtocol

/// How an agent runs: where it listens, how much it accepts, where it logs.
public struct AgentConfiguration: Sendable {
    /// The socket to listen on.
    public var socketPath: SocketPath
    /// Largest request frame accepted, in bytes (default 1 MiB).
    public var maxFrameBytes: Int
    /// Where log lines go (stderr in `sync-agent`).
    public var logger: Logger
    /// The time source for events (the system clock by default).
    public var clock: UnitGraph.Clock

    public init(
        socketPath: SocketPath, maxFrameBytes: Int = ProtocolVersion.maxFrameBytes,
        logger: Logger = Logger(label: "sync-agent"), clock: @escaping UnitGraph.Clock = SystemClock.now
    ) {
        self.socketPath = socketPath
        self.maxFrameBytes = maxFrameBytes
        self.logger = logger
        self.clock = clock
    }
}
