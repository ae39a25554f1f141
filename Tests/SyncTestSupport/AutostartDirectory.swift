import Foundation
import SyncOS

/// A private socket directory for the autostart tests, and the agents started on it, found through /proc (they
/// are children of syncctl, not of the test) and stopped at the end whatever happens.
public struct AutostartDirectory: Sendable {
    public init() {}

    public let directory = TemporaryDirectory(prefix: "sa-auto")
    /// The socket's directory: not there until an agent (or ``makeDirectory()``) creates it.
    public var socketDirectory: String { directory.file("run") }
    public var socket: String { socketDirectory + "/agent.sock" }
    public var log: String { socketDirectory + "/agent.log" }
    public var journal: String { socketDirectory + "/agent.journal" }

    /// Creates the socket's directory (0700), for a test that puts something there first.
    public func makeDirectory() {
        mkdir(socketDirectory, 0o700)
    }

    /// Runs the built `syncctl` on this socket (through `SYNC_AGENT_SOCKET_PATH`), autostart left as the
    /// environment has it unless `environment` says otherwise.
    public func syncctl(_ arguments: [String], environment: [String: String] = [:]) async throws
        -> RunningProcess.Result
    {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments,
            environment: ["SYNC_AGENT_SOCKET_PATH": socket].merging(environment) { $1 })
    }

    /// Live `sync-agent` processes serving this socket (zombies have no command line and do not count). Reads
    /// /proc with plain system calls: the tests call it in loops, on the threads every other test needs too.
    public var agents: [Int32] {
        guard let proc = opendir("/proc") else { return [] }
        defer { closedir(proc) }
        var pids: [Int32] = []
        while let entry = readdir(proc) {
            guard let pid = Int32(DirectoryEntry.name(entry)), serves(pid) else { continue }
            pids.append(pid)
        }
        return pids.sorted()
    }

    /// Whether `pid` is a live `sync-agent` on this socket.
    public func serves(_ pid: Int32) -> Bool {
        guard let bytes = FileContents.read("/proc/\(pid)/cmdline", limit: 4096) else { return false }
        let arguments = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.first?.hasSuffix("/sync-agent") == true && arguments.contains(socket)
    }

    /// Waits until exactly `count` agents serve the socket (losers of a start race take a moment to exit): one look
    /// at /proc, then only at the agents it found.
    public func settles(on count: Int) async -> Bool {
        let found = agents
        return await eventually(seconds: 10) { found.filter(serves).count == count }
    }

    /// Stops every agent on the socket (SIGTERM, then SIGKILL) and removes the directory.
    public func cleanUp() async {
        let found = agents
        for pid in found { kill(pid, SIGTERM) }
        if !(await eventually(seconds: 10) { !found.contains(where: serves) }) {
            for pid in found where serves(pid) { kill(pid, SIGKILL) }
            _ = await eventually(seconds: 5) { !found.contains(where: serves) }
        }
        directory.remove()
    }
}

/// Runs `body` with a fresh socket directory and stops the agents started on it afterwards, whatever happens.
public func withAutostartDirectory<T>(_ body: (AutostartDirectory) async throws -> T) async throws -> T {
    try await using(AutostartDirectory(), cleanup: { await $0.cleanUp() }, body)
}
