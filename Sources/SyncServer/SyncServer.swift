@preconcurrency import Glibc
import Logging
import NIOCore
import NIOPosix
import SyncOS
import Synchronization
import SyncCore
import SyncProtocol

/// A running agent: the unit graph served on a Unix socket.
///
/// ``start(_:)`` prepares the socket path (directory 0700, socket 0600, a stale socket replaced, a live one never
/// taken over) and listens, or serves the socket handed by socket activation (``AgentConfiguration/handedSocket``),
/// which it never removes. The graph has exactly one owner, a single event loop; ``shutdown()`` answers every
/// request in flight with `shutting_down`, closes every connection and removes the socket.
public final class SyncServer: Sendable {
    /// Where the agent listens.
    public let socketPath: SocketPath
    /// The agent's own loop's group; `nil` when the agent runs on its shared store's loop (the store shuts it down).
    private let group: MultiThreadedEventLoopGroup?
    private let listener: any Channel
    private let core: NIOLoopBound<AgentCore>
    private let socketGuard: Mutex<SocketGuard?>
    private let logger: Logger
    private let stopping = Mutex<Task<Void, Never>?>(nil)
    /// Where the agent keeps its events (`nil`: `--ephemeral`).
    let store: (any EventStore)?
    private let fatal = Mutex<String?>(nil)
    /// Set when the listener has closed; says so to ``waitUntilStopped()`` without touching the event loop, which
    /// may be gone by then.
    private let stopped = StopSignal()

    /// The journal file, when the agent keeps one (tests inject failures through it).
    var journal: FileJournalStore? { store as? FileJournalStore }

    /// Why the agent stopped on its own, if it did: its journal failed and could not be read back. `nil` after a
    /// normal ``shutdown()``.
    public var fatalError: String? { fatal.withLock { $0 } }

    private init(
        socketPath: SocketPath, group: MultiThreadedEventLoopGroup?, listener: any Channel,
        core: NIOLoopBound<AgentCore>, socketGuard: consuming sending SocketGuard, logger: Logger,
        store: (any EventStore)?
    ) {
        self.store = store
        self.socketPath = socketPath
        self.group = group
        self.listener = listener
        self.core = core
        self.socketGuard = Mutex(socketGuard)
        self.logger = logger
    }

    /// Prepares the socket path and starts listening.
    /// - Throws: ``AgentStartError`` when the path cannot be used (another agent is live there, unsafe directory…),
    ///   or the error from binding.
    public static func start(_ configuration: AgentConfiguration) async throws -> SyncServer {
        let path = configuration.socketPath
        let handed = configuration.handedSocket
        let socketGuard = SocketGuard(path, adopting: handed != nil)
        try socketGuard.acquire()
        let store: (any EventStore)? =
            configuration.store
            ?? configuration.journalPath.map {
                FileJournalStore(
                    path: $0, clock: configuration.clock, logger: configuration.logger,
                    history: configuration.eventHistory)
            }
        var restored: StoredState?
        if let store {
            do {
                restored = try store.load()
            } catch {
                socketGuard.release()
                throw AgentStartError(error.description, isInUse: error.code == EWOULDBLOCK)
            }
        }
        var configuration = configuration
        configuration.limits.connections = Self.connectionLimit(configuration)
        // On a shared store the agent runs on the store's loop: a change then crosses no thread (each crossing
        // wakes a sleeping thread, which costs tens of microseconds several times per change).
        let storeLoop = (store as? any SharedEventStore)?.eventLoop
        let group = storeLoop == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        guard let loop = storeLoop ?? group?.next() else { preconditionFailure("no event loop") }
        let pid = Int64(getpid())
        let core = try await loop.submit { [store, restored, configuration] in
            NIOLoopBound(
                AgentCore(configuration: configuration, loop: loop, pid: pid, store: store, restored: restored),
                eventLoop: loop)
        }.get()
        if let shared = store as? any SharedEventStore {
            // Another agent stored events: this one catches up and wakes its waiters, on its loop.
            // (On the store's loop when the agent runs on it: at once, rather than a turn of the loop later.)
            shared.listen {
                if loop.inEventLoop {
                    core.value.sharedStoreWoke()
                } else {
                    loop.execute { core.value.sharedStoreWoke() }
                }
            }
            // What was notified between the store's load and this listener woke nobody: taken now.
            loop.execute { core.value.sharedStoreWoke() }
        }
        let maxFrameBytes = configuration.maxFrameBytes
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: Self.backlog)
            .serverChannelInitializer { [logger = configuration.logger] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptPause(logger: logger))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 4 * 1024 * 1024))
            .childChannelInitializer { channel in
                // Who connected, read once from the kernel before the first byte is handled.
                PeerCredentials.of(channel).map { Optional($0) }.recover { _ in nil }.flatMapThrowing { peer in
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(core: core.value, peer: peer))
                }
            }
        let listener: any Channel
        do {
            listener = try await listen(bootstrap, handed: handed, socketGuard: socketGuard)
        } catch {
            socketGuard.release()
            try? await group?.shutdownGracefully()
            await store?.close()
            throw error as? AgentStartError
                ?? AgentStartError(
                    handed == nil
                        ? "listen on unix socket \(path.path): \(error)"
                        : "serve the socket \(path.path) handed by socket activation: \(error)")
        }
        configuration.logger.info(
            "agent listening",
            metadata: [
                "socket": "\(path.path)", "source": "\(handed == nil ? path.source.rawValue : "socket activation")",
            ])
        let server = SyncServer(
            socketPath: path, group: group, listener: listener, core: core, socketGuard: socketGuard,
            logger: configuration.logger, store: store)
        // Registered while the loop surely runs: a wait on the listener's future from outside the loop, once the
        // loop has shut down, would never be answered.
        listener.closeFuture.whenComplete { [stopped = server.stopped] _ in stopped.fire() }
        try await loop.submit { [weak server] in
            core.value.onFatalError = { message in
                guard let server else { return }
                server.fatal.withLock { $0 = message }
                Task { await server.shutdown() }
            }
        }.get()
        return server
    }

    /// The listen backlog: a burst of scripts connecting at once waits in it.
    private static let backlog: Int32 = 1024

    /// Serves the socket handed by socket activation, or binds the socket path (``SocketGuard/bind(backlog:)``);
    /// NIO adopts the listening descriptor either way, and never removes its file.
    private static func listen(
        _ bootstrap: ServerBootstrap, handed: HandedSocket?, socketGuard: SocketGuard
    ) async throws -> any Channel {
        let descriptor = try handed?.descriptor ?? socketGuard.bind(backlog: backlog)
        let listener: any Channel
        do {
            listener = try await bootstrap.withBoundSocket(descriptor).get()
        } catch {
            if handed == nil { close(descriptor) }
            throw error
        }
        // NIO listens again on an adopted socket with its own backlog (128); the agent's is larger.
        Glibc.listen(descriptor, backlog)
        return listener
    }

    /// The connection limit, kept below the process's file descriptor limit (each connection holds one) with room
    /// for the journal, the listener and refusals.
    private static func connectionLimit(_ configuration: AgentConfiguration) -> Int {
        var limit = rlimit()
        let wanted = configuration.limits.connections
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return wanted }
        let available = max(16, Int(limit.rlim_cur) - 64)
        guard available < wanted else { return wanted }
        configuration.logger.warning(
            "fewer connections than configured: the file descriptor limit is lower",
            metadata: ["max connections": "\(available)", "configured": "\(wanted)", "ulimit -n": "\(limit.rlim_cur)"])
        return available
    }

    /// Returns when the agent has stopped listening (after ``shutdown()``), also when called after the agent
    /// stopped.
    public func waitUntilStopped() async throws {
        await stopped.wait()
    }

    /// Stops the agent: no new connections, every request in flight answered with `shutting_down`, every
    /// connection closed, the socket file removed (unless it was handed over by socket activation). Idempotent.
    public func shutdown() async {
        let task = stopping.withLock { task in
            if let task { return task }
            let started = Task { await self.stop() }
            task = started
            return started
        }
        await task.value
    }

    private func stop() async {
        logger.info("agent shutting down", metadata: ["socket": "\(socketPath.path)"])
        try? await listener.close()
        let core = self.core
        try? await core.eventLoop.flatSubmit { core.value.shutDown() }.get()
        socketGuard.withLock { socketGuard in
            socketGuard?.release()
            socketGuard = nil
        }
        try? await group?.shutdownGracefully()
        await store?.close()
        stopped.fire()
    }
}
