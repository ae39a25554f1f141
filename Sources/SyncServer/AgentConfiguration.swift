@preconcurrency import Glibc
import Logging
import SyncCore
import SyncOS
import SyncProtocol

/// How an agent runs: where it listens, where it keeps its journal, how much it accepts, where it logs.
public struct AgentConfiguration: Sendable {
    /// The socket to listen on.
    public var socketPath: SocketPath
    /// A socket handed over by socket activation, served instead of binding ``socketPath`` (which is then its
    /// path) and never removed: its starter owns it. `nil` binds ``socketPath``.
    public var handedSocket: HandedSocket?
    /// The journal file; `nil` keeps the state in memory only (`--ephemeral`).
    public var journalPath: String?
    /// Largest request frame accepted, in bytes (default 1 MiB).
    public var maxFrameBytes: Int
    /// Events kept in memory for subscribers that resume with `since` (default 65,536).
    public var eventHistory: Int
    /// The journal is compacted (rewritten as a snapshot plus recent history) once it has more lines than this
    /// and four times the graph's units and edges (default 20,000).
    public var compactAfterLines: Int
    /// How long a connection the agent ends (a dropped subscriber, a refused client) may take to receive what is
    /// queued for it before it is cut (default 10 s).
    public var closeLinger: Duration = .seconds(10)
    /// How much the agent accepts (units, edges, connections, waits, subscribers).
    public var limits: AgentLimits
    /// The peers allowed to talk to the agent, by uid: the agent's own user and root by default. Anyone else is
    /// answered `permission_denied` and disconnected.
    public var allowedPeerUIDs: Set<UInt32>
    /// A connection that sends no `hello` within this time is answered `hello_required` and closed (default 10 s).
    public var helloTimeout: Duration
    /// A client that has not read its replies for this long, while several megabytes wait for it, is disconnected
    /// (default 30 s).
    public var stallTimeout: Duration
    /// While the journal cannot be written, how often the agent tries again (default 1 s).
    public var journalRetryInterval: Duration
    /// Where log lines go (stderr in `sync-agent`).
    public var logger: Logger
    /// The time source for events (the system clock by default).
    public var clock: UnitGraph.Clock
    /// The protocol versions the agent accepts in `hello` (all it speaks, ``ProtocolVersion/supported``, by
    /// default); a test limits them to play an agent from before a version.
    public var protocolVersions: [Int64] = ProtocolVersion.supported
    /// Where the agent keeps its events instead of ``journalPath``'s file (the PostgreSQL store of `--store`);
    /// `nil`: the journal file, or nothing with `--ephemeral`.
    package var store: (any EventStore)?

    public init(
        socketPath: SocketPath, handedSocket: HandedSocket? = nil, journalPath: String? = nil,
        maxFrameBytes: Int = ProtocolVersion.maxFrameBytes,
        eventHistory: Int = 65_536, compactAfterLines: Int = 20_000, limits: AgentLimits = .standard,
        allowedPeerUIDs: Set<UInt32>? = nil, helloTimeout: Duration = .seconds(10),
        stallTimeout: Duration = .seconds(30),
        journalRetryInterval: Duration = .seconds(1), logger: Logger = Logger(label: "sync-agent"),
        clock: @escaping UnitGraph.Clock = SystemClock.now
    ) {
        self.socketPath = socketPath
        self.handedSocket = handedSocket
        self.journalPath = journalPath
        self.maxFrameBytes = maxFrameBytes
        self.eventHistory = eventHistory
        self.compactAfterLines = compactAfterLines
        self.limits = limits
        self.allowedPeerUIDs = allowedPeerUIDs ?? Self.defaultPeerUIDs
        self.helloTimeout = helloTimeout
        self.stallTimeout = stallTimeout
        self.journalRetryInterval = journalRetryInterval
        self.logger = logger
        self.clock = clock
    }

    /// The agent's own uid and root.
    public static var defaultPeerUIDs: Set<UInt32> { [UInt32(getuid()), 0] }

    /// The journal that goes with a socket when none is chosen: beside it, `agent.sock` → `agent.journal`
    /// (any other name gets `.journal` appended).
    public static func defaultJournalPath(for socketPath: SocketPath) -> String {
        socketPath.sibling("journal")
    }
}
