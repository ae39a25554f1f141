import Foundation

/// The built `sync-agent` running as a child process on a temporary socket, for end-to-end tests.
public final class AgentProcess: Sendable {
    public let directory: TemporaryDirectory
    public let process: RunningProcess
    public var socket: String { directory.socket }

    /// Starts the agent and returns once it listens.
    public init(arguments: [String] = []) async throws {
        directory = TemporaryDirectory()
        process = try RunningProcess(
            Products.path("sync-agent"), ["--socket-path", directory.socket] + arguments)
        await process.waitForOutput(containing: "agent listening")
    }

    /// Runs the built `syncctl` against this agent (through `SYNC_AGENT_SOCKET_PATH`).
    public func syncctl(_ arguments: String..., stdin: String? = nil) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": socket], stdin: stdin)
    }

    /// Starts `syncctl` in the background against this agent.
    public func spawn(_ arguments: String...) throws -> RunningProcess {
        try RunningProcess(Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": socket])
    }

    /// Stops the agent with SIGTERM and removes its directory. - Returns: what the agent left.
    @discardableResult
    public func stop() async -> RunningProcess.Result {
        process.signal(SIGTERM)
        let result = await process.finish()
        directory.remove()
        return result
    }
}

/// Runs `body` with a fresh agent process and stops it afterwards, whatever happens.
public func withAgentProcess<T>(_ body: (AgentProcess) async throws -> T) async throws -> T {
    try await using(try await AgentProcess(), cleanup: { _ = await $0.stop() }, body)
}
