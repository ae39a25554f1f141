@preconcurrency import Glibc

/// The built `sync-agent` running as a child process on a socket in a fresh temporary directory, so its CPU time
/// and memory can be read from `/proc` without the bench's own threads mixed in. It inherits the bench's raised
/// open-file limit.
final class SpawnedAgent {
    private(set) var pid: pid_t
    let directory: String
    private let binary: String
    private let arguments: [String]
    var socketPath: String { directory + "/s" }
    private var stopped = false

    /// Starts the agent and returns once it accepts connections.
    /// - Parameters:
    ///   - journal: keep a journal (the agent's default) in the temporary directory; otherwise `--ephemeral`.
    ///   - store: instead, keep the graph in this PostgreSQL store and workspace (`--store`, `--workspace`).
    init(binary: String, journal: Bool = false, store: (url: String, workspace: String)? = nil) throws(BenchError) {
        directory = try Syscalls.makeTemporaryDirectory()
        var arguments = ["--socket-path", directory + "/s", "--log-level", "warning"]
        if let store {
            arguments += ["--store", store.url, "--workspace", store.workspace]
        } else {
            arguments += journal ? ["--state-file", directory + "/journal"] : ["--ephemeral"]
        }
        self.binary = binary
        self.arguments = arguments
        do {
            pid = try Spawn.start(binary, arguments, stderr: .file(directory + "/agent.log"))
        } catch {
            Syscalls.removeDirectory(directory)
            throw error
        }
        try awaitListening()
    }

    /// Waits (polling every 5 ms, as a script would) until the agent accepts connections; stops it after
    /// `seconds`.
    private func awaitListening(seconds: Double = 10) throws(BenchError) {
        let deadline = Syscalls.nanos() + UInt64(seconds * 1e9)
        while true {
            if (try? FrameSocket(path: directory + "/s")) != nil { break }
            if Syscalls.nanos() > deadline || kill(pid, 0) != 0 {
                let log = Syscalls.readFile(directory + "/agent.log") ?? ""
                stop()
                throw BenchError("sync-agent did not start listening within \(Report.number(seconds)) s: \(log)")
            }
            Syscalls.sleep(seconds: 0.001)
        }
    }

    /// Stops the agent cleanly and starts it again on the same journal and socket.
    /// - Parameter seconds: how long the new process may take to accept connections.
    /// - Returns: seconds from the new process's start until it accepts connections (its journal replayed).
    func restartTime(within seconds: Double = 10) throws(BenchError) -> Double {
        kill(pid, SIGTERM)
        Spawn.wait(pid)
        let began = Syscalls.nanos()
        pid = try Spawn.start(binary, arguments, stderr: .file(directory + "/agent.log"))
        try awaitListening(seconds: seconds)
        return Double(Syscalls.nanos() - began) / 1e9
    }

    deinit { stop() }

    /// A new connection that has said hello.
    func connect() throws(BenchError) -> FrameSocket {
        let socket = try FrameSocket(path: socketPath)
        try socket.hello()
        return socket
    }

    /// CPU time the agent used so far (user + system, all threads), in seconds.
    var cpuSeconds: Double { ProcStats.cpuSeconds(pid) ?? 0 }

    /// Stops the agent with SIGTERM (as a user would), waits for it and removes its directory.
    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        Spawn.wait(pid)
        Syscalls.removeDirectory(directory)
    }
}
