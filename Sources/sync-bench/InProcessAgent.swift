import Logging
import SyncProtocol
import SyncServer

/// An agent running inside the bench process (`SyncServer.start`), on a socket in a fresh temporary directory.
struct InProcessAgent {
    let server: SyncServer
    let directory: String
    var socketPath: SocketPath { server.socketPath }

    /// Starts the agent. - Parameter journal: keep a journal (synced before each acknowledgement) or run ephemeral.
    static func start(journal: Bool) async throws -> InProcessAgent {
        let directory = try Syscalls.makeTemporaryDirectory()
        var logger = Logger(label: "bench-agent")
        logger.logLevel = .critical
        let configuration = AgentConfiguration(
            socketPath: SocketPath(path: directory + "/s", source: .flag),
            journalPath: journal ? directory + "/journal" : nil, logger: logger)
        do {
            return InProcessAgent(server: try await SyncServer.start(configuration), directory: directory)
        } catch {
            Syscalls.removeDirectory(directory)
            throw error
        }
    }

    /// Stops the agent and removes its directory.
    func stop() async {
        await server.shutdown()
        Syscalls.removeDirectory(directory)
    }

    /// Runs `body` with a fresh agent and stops it afterwards, also when `body` throws.
    static func with<T>(journal: Bool, _ body: (InProcessAgent) async throws -> T) async throws -> T {
        let agent = try await start(journal: journal)
        do {
            let result = try await body(agent)
            await agent.stop()
            return result
        } catch {
            await agent.stop()
            throw error
        }
    }
}
