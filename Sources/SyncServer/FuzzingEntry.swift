@preconcurrency import Glibc
import Logging
import NIOCore
import SyncCore
import SyncOS
import SyncProtocol

/// A way into the agent's frame decoding and request handling without a socket, for the fuzzer in `Fuzz/` and for
/// `sync-bench --count` (instruction counts of the hot paths): test channels (NIO's `EmbeddedChannel`) get the same
/// handlers a client connection gets, in front of one agent core that runs on their event loop, keeps no journal
/// and logs nothing.
@_spi(Fuzzing)
public final class ChannelAgent {
    private let core: AgentCore
    private let maxFrameBytes: Int

    /// A fresh agent on `loop` (the event loop of the channels that will be attached).
    /// - Parameters:
    ///   - limits: small limits reach the refusals sooner.
    ///   - clock: the clock of the unit graph; a fixed one keeps the work the same from run to run.
    public init(
        loop: any EventLoop, maxFrameBytes: Int = ProtocolVersion.maxFrameBytes, limits: AgentLimits = .standard,
        clock: @escaping UnitGraph.Clock = { .init(microseconds: 1) }
    ) {
        var logger = Logger(label: "channel-agent")
        logger.logLevel = .critical
        let configuration = AgentConfiguration(
            socketPath: SocketPath(path: "/nonexistent/channel-agent.sock", source: .flag),
            maxFrameBytes: maxFrameBytes, eventHistory: 256, limits: limits, logger: logger, clock: clock)
        core = AgentCore(configuration: configuration, loop: loop, pid: 1, store: nil, restored: nil)
        self.maxFrameBytes = maxFrameBytes
    }

    /// Makes `channel` a client connection of this agent, as if its peer were this process's own user.
    public func attach(_ channel: any Channel) throws {
        let peer = PeerCredentials(pid: 1, uid: UInt32(getuid()), gid: UInt32(getgid()))
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(core: core, peer: peer))
    }
}

@_spi(Fuzzing)
public enum FuzzingEntry {
    /// Installs a fresh agent on `channel`, as if its peer were this process's own user.
    /// - Parameter limits: small limits reach the refusals sooner.
    public static func installAgent(
        on channel: any Channel, maxFrameBytes: Int = 4096,
        limits: AgentLimits = AgentLimits(
            units: 64, edgesPerUnit: 8, connections: 4, inFlightPerConnection: 8, parkedWaits: 16, subscribers: 2)
    ) throws {
        try ChannelAgent(loop: channel.eventLoop, maxFrameBytes: maxFrameBytes, limits: limits).attach(channel)
    }
}
