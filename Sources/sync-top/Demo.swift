import Dispatch
import Logging
import SyncOS
import Synchronization
import SyncClient
import SyncProtocol
import SyncServer

@preconcurrency import Glibc

/// `--demo`: an agent embedded in this process on a private socket, and the example workspace scripts
/// (`examples/workspace/start-all.sh`) started against it in a process group of their own. ``stop()`` ends every
/// process it started and removes the private directory.
final class Demo: Sendable {
    /// The private directory: the socket and the scripts' logs.
    let directory: String
    let socket: SocketPath
    private let server: SyncServer
    private let scripts: ChildProcess

    private init(directory: String, socket: SocketPath, server: SyncServer, scripts: ChildProcess) {
        self.directory = directory
        self.socket = socket
        self.server = server
        self.scripts = scripts
    }

    /// Starts the agent and the scripts.
    /// - Parameter examples: the folder with `start-all.sh`; found beside the sources when `nil`.
    static func start(examples: String?) throws(TopError) -> Demo {
        let binaries = executableDirectory()
        guard access(binaries + "/syncctl", X_OK) == 0 else {
            throw TopError("syncctl is not built beside sync-top (\(binaries)); run `swift build` first")
        }
        guard let scriptsFolder = examples ?? findExamples(from: binaries) else {
            throw TopError(
                "cannot find examples/workspace/start-all.sh; run from the project's folder or pass --examples")
        }
        var template = Array("/tmp/sync-demo-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TopError("cannot create a private directory in /tmp: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        let socket = SocketPath(path: directory + "/agent.sock", source: .flag)
        var logger = Logger(label: "sync-top-demo")
        logger.logLevel = .critical  // the terminal belongs to the dashboard
        let configuration = AgentConfiguration(socketPath: socket, journalPath: nil, logger: logger)
        let server: SyncServer
        do {
            server = try blocking { try await SyncServer.start(configuration) }
        } catch {
            throw TopError("cannot start the demo agent: \(error)")
        }
        let path = binaries + ":" + (Environment.value("PATH") ?? "/usr/bin:/bin")
        do {
            let scripts = try ChildProcess.spawn(
                ["sh", scriptsFolder + "/start-all.sh"],
                environment: ["SYNC_AGENT_SOCKET_PATH": socket.path, "PATH": path, "SYNC_DEMO_LOGS": directory],
                newProcessGroup: true, output: directory + "/start-all.log")
            return Demo(directory: directory, socket: socket, server: server, scripts: scripts)
        } catch {
            blocking { await server.shutdown() }
            throw TopError("cannot start the example scripts: \(String(cString: strerror(error.code)))")
        }
    }

    /// Waits until every script has ended.
    func waitForScripts() {
        let scripts = self.scripts
        _ = blocking { await scripts.wait() }
    }

    /// Ends the scripts (and whatever they started), stops the agent, removes the private directory. The agent stays
    /// up until the scripts' process group has ended (SIGTERM, then SIGKILL after ``stopGrace``): a `syncctl run`
    /// whose service the signal ended reports it and exits, instead of retrying an agent that is gone for a minute.
    func stop() {
        let (server, scripts) = (self.server, self.scripts)
        scripts.signalGroup(SIGTERM)
        _ = blocking { await scripts.wait() }
        if !Self.waitForGroupEnd(scripts.pid, milliseconds: Self.stopGrace) {
            scripts.signalGroup(SIGKILL)
        }
        blocking { await server.shutdown() }
        removeFlatDirectory(directory)
    }

    /// Removes a directory that holds only files (the socket and the logs).
    private func removeFlatDirectory(_ path: String) {
        for name in Self.entries(of: path) { unlink(path + "/" + name) }
        rmdir(path)
    }

    /// The folder of this executable (where `swift build` also put `syncctl`).
    private static func executableDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path =
            count > 0
            ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : CommandLine.arguments[0]
        return path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    }

    /// `examples/workspace` in the current folder, or in the project that holds the build folder.
    private static func findExamples(from binaries: String) -> String? {
        var candidates = ["examples/workspace"]
        var folder = binaries
        for _ in 0..<4 {
            folder = folder.lastIndex(of: "/").map { String(folder[..<$0]) } ?? folder
            candidates.append(folder + "/examples/workspace")
        }
        return candidates.first { access($0 + "/start-all.sh", R_OK) == 0 }
    }
}

/// Runs async work to its end from synchronous code (the dashboard's loop owns its thread).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do {
            let value = try await body()
            result.withLock { $0 = .success(value) }
        } catch {
            result.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}

/// Runs async work that cannot fail to its end from synchronous code.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    try! blocking { () async throws -> T in await body() }
}
