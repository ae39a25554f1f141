import Logging
import SyncClient
import SyncCore
import SyncOS
import SyncServer

/// An agent running inside the calling process (`SyncServer.start`) on a socket in a temporary directory: what the
/// tests and sync-bench run against when they do not need a separate `sync-agent` process.
public struct InProcessAgent: Sendable {
    /// The directory holding the socket (`s`) and, when one is kept, the journal.
    public let directory: TemporaryDirectory
    public let server: SyncServer
    public var socketPath: SocketPath { server.socketPath }

    /// Starts an agent on the socket `s` in `directory`, its log silenced.
    /// - Parameters:
    ///   - journal: a journal file to keep (nil: ephemeral).
    ///   - clock: the agent's wall clock.
    ///   - waitWhileInUse: when the socket or journal is still held (see below), try again for up to 5 s; off for a
    ///     test that expects the refusal.
    ///   - configure: adjusts the configuration (history size, compaction threshold…).
    /// - Throws: the agent's start error (`AgentStartError`).
    public static func start(
        in directory: TemporaryDirectory = TemporaryDirectory(), journal: String? = nil,
        clock: @escaping UnitGraph.Clock = SystemClock.now, waitWhileInUse: Bool = true,
        configure: (inout AgentConfiguration) -> Void = { _ in }
    ) async throws -> InProcessAgent {
        var logger = Logger(label: "in-process-agent")
        logger.logLevel = .critical
        var configuration = AgentConfiguration(
            socketPath: SocketPath(path: directory.socket, source: .flag), journalPath: journal, logger: logger,
            clock: clock)
        configure(&configuration)
        // Restarting on the same socket and journal: a child that another test is spawning at this moment may still
        // hold copies of the stopped agent's descriptors (and so its locks) until it execs, for a few milliseconds.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while true {
            do {
                let server = try await SyncServer.start(configuration)
                return InProcessAgent(directory: directory, server: server)
            } catch let error as AgentStartError where waitWhileInUse && error.isInUse && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Stops the agent and keeps its directory (to start another agent on the same journal).
    public func stopKeepingFiles() async {
        await server.shutdown()
    }

    /// A new connection to the agent.
    public func client(_ name: String = "test") async throws -> SyncClient {
        try await SyncClient.connect(to: socketPath, client: name)
    }

    /// Stops the agent and removes its directory.
    public func stop() async {
        await server.shutdown()
        directory.remove()
    }
}

/// Runs `body` with a fresh agent in `directory` and stops it (removing the directory) afterwards, whatever happens.
/// - Parameter journaled: keep a journal (`journal` in the directory, synced before each acknowledgement) rather than
///   run ephemeral.
public func withAgent<T>(
    in directory: TemporaryDirectory = TemporaryDirectory(), journaled: Bool = false,
    _ body: (InProcessAgent) async throws -> T
) async throws -> T {
    let agent: InProcessAgent
    do {
        agent = try await InProcessAgent.start(in: directory, journal: journaled ? directory.file("journal") : nil)
    } catch {
        directory.remove()
        throw error
    }
    return try await using(agent, cleanup: { await $0.stop() }, body)
}

/// Runs `body` with `value`, then `cleanup` on it, whether `body` returns or throws.
public func using<Value, T>(
    _ value: Value, cleanup: (Value) async -> Void, _ body: (Value) async throws -> T
) async throws -> T {
    do {
        let result = try await body(value)
        await cleanup(value)
        return result
    } catch {
        await cleanup(value)
        throw error
    }
}
