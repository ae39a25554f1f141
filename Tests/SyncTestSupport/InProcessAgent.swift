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
    public static func start(clock: @escaping UnitGraph.Clock = SystemClock.now) async throws -> InProcessAgent {
        let directory = TemporaryDirectory()
        var logger = Logger(label: "test-agent")
        logger.logLevel = .critical
        let configuration = AgentConfiguration(
            socketPath: SocketPath(path: directory.socket, source: .flag), logger: logger, clock: clock)
        let server = try await SyncServer.start(configuration)
        return InProcessAgent(directory: directory, server: server)
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
