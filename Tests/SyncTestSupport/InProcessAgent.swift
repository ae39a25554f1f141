import Logging
import SyncClient
import SyncCore
import SyncProtocol
import SyncServer

/// An agent running inside the test process on a temporary socket.
public struct InProcessAgent: Sendable {
    public let directory: TemporaryDirectory
    public let server: SyncServer
    public var socketPath: SocketPath { server.socketPath }

    /// Starts an agent on a new temporary socket.
    /// - Parameters:
    ///   - journal: a journal file to keep (nil: ephemeral).
    ///   - waitWhileInUse: when the socket or journal is still held (see below), try again for up to 5 s; off for a
    ///     test that expects the refusal.
    ///   - configure: adjusts the configuration (history size, compaction threshold…).
    public static func start(
        in directory: TemporaryDirectory = TemporaryDirectory(), journal: String? = nil,
        clock: @escaping UnitGraph.Clock = SystemClock.now, waitWhileInUse: Bool = true,
        configure: (inout AgentConfiguration) -> Void = { _ in }
    ) async throws -> InProcessAgent {
        var logger = Logger(label: "test-agent")
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

/// Runs `body` with a fresh agent and stops it afterwards, whatever happens.
public func withAgent<T>(_ body: (InProcessAgent) async throws -> T) async throws -> T {
    let agent = try await InProcessAgent.start()
    do {
        let result = try await body(agent)
        await agent.stop()
        return result
    } catch {
        await agent.stop()
        throw error
    }
}
