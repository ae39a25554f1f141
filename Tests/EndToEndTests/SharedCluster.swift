import Foundation
import SyncTestSupport
import Synchronization

/// `sync-agent`s sharing one PostgreSQL workspace, each on its own socket as if on its own host, that a fault test
/// can kill (-9) and start again, and run in a network namespace of their own (``NetworkLink``). Every `syncctl`
/// runs with autostart off: a command against a killed agent must not start a private agent on its socket.
final class SharedCluster: Sendable {
    struct Member: Sendable {
        var store: String
        /// The network namespace the agent runs in, if not the test's.
        var namespace: String?
    }

    let directory: TemporaryDirectory
    let server: PostgresServer
    let workspace: String
    let members: [Member]
    private let running: Mutex<[RunningProcess?]>

    /// The Unix-socket URL of `server` (for agents in the test's own network namespace).
    static func socketURL(_ server: PostgresServer) -> String {
        "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)"
    }

    /// Starts one agent per member and waits until each listens.
    init(_ members: [Member], server: PostgresServer, workspace: String = "shared") async throws {
        directory = TemporaryDirectory()
        self.server = server
        self.workspace = workspace
        self.members = members
        running = Mutex(Array(repeating: nil, count: members.count))
        for index in members.indices { try await start(index) }
    }

    /// `count` agents in the test's network namespace, on `server`'s socket.
    convenience init(_ count: Int, server: PostgresServer) async throws {
        try await self.init(
            Array(repeating: Member(store: Self.socketURL(server)), count: count), server: server)
    }

    func socket(_ index: Int) -> String { directory.file("agent\(index).sock") }

    func agent(_ index: Int) -> RunningProcess { running.withLock { $0[index]! } }

    /// Starts agent `index` (again) and waits until it listens. - Returns: false when it exited instead.
    @discardableResult
    func start(_ index: Int) async throws -> Bool {
        let member = members[index]
        var program = Products.path("sync-agent")
        var arguments = ["--socket-path", socket(index), "--store", member.store, "--workspace", workspace]
        if let namespace = member.namespace {
            (program, arguments) = NetworkLink.inside(namespace, program, arguments)
        }
        let process = try RunningProcess(program, arguments)
        running.withLock { $0[index] = process }
        await process.waitForOutput(containing: "agent listening")
        return !process.hasEnded
    }

    /// Kills agent `index` with SIGKILL. - Returns: its output.
    @discardableResult
    func kill(_ index: Int) async -> RunningProcess.Result {
        let process = running.withLock { state in
            defer { state[index] = nil }
            return state[index]!
        }
        process.signal(SIGKILL)
        return await process.finish()
    }

    /// Runs `syncctl` against agent `index`.
    func syncctl(_ index: Int, _ arguments: String...) async throws -> RunningProcess.Result {
        try await run(index, arguments)
    }

    func run(_ index: Int, _ arguments: [String]) async throws -> RunningProcess.Result {
        try await spawn(index, arguments).finish()
    }

    /// Starts `syncctl` against agent `index` and returns at once.
    func spawn(_ index: Int, _ arguments: [String]) throws -> RunningProcess {
        try RunningProcess(
            Products.path("syncctl"), arguments,
            environment: ["SYNC_AGENT_SOCKET_PATH": socket(index), "SYNC_AGENT_AUTOSTART": "0"])
    }

    /// The workspace's events in the store, oldest first, as JSON objects (read with psql, not through an agent).
    func storedEvents() async throws -> [[String: Any]] {
        let result = try await server.psql([
            "-tAc",
            "select e.event::text from sync_agent.events e join sync_agent.workspaces w on w.id = e.workspace "
                + "where w.name = '\(workspace)' order by e.seq",
        ])
        guard result.status == 0 else { throw NetworkLink.Failure(description: "psql: \(result)") }
        return try result.stdout.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw NetworkLink.Failure(description: "not an event: \(line)")
            }
            return object
        }
    }

    /// Stops every running agent (SIGTERM). - Returns: their results.
    func stop() async -> [RunningProcess.Result] {
        let processes = running.withLock { state in
            defer { state = Array(repeating: nil, count: state.count) }
            return state.compactMap { $0 }
        }
        var results: [RunningProcess.Result] = []
        for process in processes {
            process.signal(SIGTERM)
            results.append(await process.finish())
        }
        directory.remove()
        return results
    }
}
