@preconcurrency import Glibc
import Logging
import NIOCore
import SyncOS
import SyncProtocol

/// A way into the agent's frame decoding and request handling without a socket, for the fuzzer in `Fuzz/`: a test
/// channel (NIO's `EmbeddedChannel`) gets the same handlers a client connection gets, in front of a fresh agent core
/// that runs on the channel's event loop, keeps no journal and logs nothing.
@_spi(Fuzzing)
public enum FuzzingEntry {
    /// Installs a fresh agent on `channel`, as if its peer were this process's own user.
    /// - Parameter limits: small limits reach the refusals sooner.
    public static func installAgent(
        on channel: any Channel, maxFrameBytes: Int = 4096,
        limits: AgentLimits = AgentLimits(
            units: 64, edgesPerUnit: 8, connections: 4, inFlightPerConnection: 8, parkedWaits: 16, subscribers: 2)
    ) throws {
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        let configuration = AgentConfiguration(
            socketPath: SocketPath(path: "/nonexistent/fuzz.sock", source: .flag), maxFrameBytes: maxFrameBytes,
            eventHistory: 256, limits: limits, logger: logger, clock: { .init(microseconds: 1) })
        let core = AgentCore(configuration: configuration, loop: channel.eventLoop, pid: 1, store: nil, restored: nil)
        let peer = PeerCredentials(pid: 1, uid: UInt32(getuid()), gid: UInt32(getgid()))
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(core: core, peer: peer))
    }
}
