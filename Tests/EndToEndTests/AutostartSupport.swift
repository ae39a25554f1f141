import Foundation
import SyncTestSupport

/// A private socket directory for the autostart tests, and the agents started on it, found through /proc (they
/// are children of syncctl, not of the test) and stopped at the end whatever happens.
struct AutostartDirectory: Sendable {
    let directory = TemporaryDirectory(prefix: "sa-auto")
    /// The socket's directory: not there until an agent (or ``makeDirectory()``) creates it.
    var socketDirectory: String { directory.file("run") }
    var socket: String { socketDirectory + "/agent.sock" }
    var log: String { socketDirectory + "/agent.log" }
    var journal: String { socketDirectory + "/agent.journal" }

    /// Creates the socket's directory (0700), for a test that puts something there first.
    func makeDirectory() {
        mkdir(socketDirectory, 0o700)
    }

    /// Runs the built `syncctl` on this socket (through `SYNC_AGENT_SOCKET_PATH`), autostart left as the
    /// environment has it unless `environment` says otherwise.
    func syncctl(_ arguments: [String], environment: [String: String] = [:]) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments,
            environment: ["SYNC_AGENT_SOCKET_PATH": socket].merging(environment) { $1 })
    }

    /// Live `sync-agent` processes serving this socket (zombies have no command line and do not count).
    var agents: [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.first?.hasSuffix("/sync-agent") == true && arguments.contains(socket)
        }.sorted()
    }

    /// Waits until exactly `count` agents serve the socket (losers of a start race take a moment to exit).
    func settles(on count: Int) async -> Bool {
        await eventually(seconds: 10) { agents.count == count }
    }

    /// Stops every agent on the socket (SIGTERM, then SIGKILL) and removes the directory.
    func cleanUp() async {
        for pid in agents { kill(pid, SIGTERM) }
        if !(await eventually(seconds: 10) { agents.isEmpty }) {
            for pid in agents { kill(pid, SIGKILL) }
            _ = await eventually(seconds: 5) { agents.isEmpty }
        }
        directory.remove()
    }
}

/// Runs `body` with a fresh socket directory and stops the agents started on it afterwards, whatever happens.
func withAutostartDirectory<T>(_ body: (AutostartDirectory) async throws -> T) async throws -> T {
    try await using(AutostartDirectory(), cleanup: { await $0.cleanUp() }, body)
}
