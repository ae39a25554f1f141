@preconcurrency import Glibc
import SyncClient
import SyncOS
import SyncProtocol
import Synchronization

/// `posix_spawn_file_actions_addclosefrom_np(3)` (glibc 2.34), which Swift's Glibc module does not export.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
/// `posix_spawn_file_actions_addchdir_np(3)` (glibc 2.29), not exported either.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>)
    -> Int32

/// Where the `sync-agent` that autostart runs is: beside the running `syncctl`, else on `PATH`.
enum AgentExecutable {
    /// The path of `sync-agent`.
    /// - Throws: `unreachable` saying where it looked and what to do.
    static func locate(
        socket: SocketPath, environment: Environment.Lookup = Environment.value
    ) throws(WireError) -> String {
        let beside = ownDirectory().map { $0 + "/sync-agent" }
        if let beside, isExecutable(beside) { return beside }
        let directories = (environment("PATH") ?? "").split(separator: ":", omittingEmptySubsequences: false)
        for directory in directories {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/sync-agent"
            if isExecutable(candidate) { return candidate }
        }
        throw WireError(
            .unreachable,
            "no agent answers on \(socket.path), and syncctl cannot start one: sync-agent is neither beside syncctl"
                + (beside.map { " (\($0))" } ?? "") + " nor on PATH. Install sync-agent there, or start an agent "
                + "yourself (sync-agent --socket-path \(socket.path)), or set \(AgentAutostart.environmentVariable)=0 "
                + "to never start one")
    }

    /// The directory of the running executable (`/proc/self/exe`).
    private static func ownDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "" : String(path[..<slash])
    }

    /// A regular file this user may execute.
    private static func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }
}

/// A `sync-agent` that syncctl started: detached (a session of its own, so neither the terminal's signals nor
/// those sent to syncctl's process group reach it), in `/`, stdin and stdout on /dev/null, stderr and its log
/// appended to `log`, no other descriptor of syncctl. A thread reaps it, so a long-lived syncctl (`run`, `wait`)
/// never keeps it as a zombie.
final class SpawnedAgent: Sendable {
    let pid: Int32
    private let status = Mutex<Int32?>(nil)

    /// Starts `executable` on `socket` (absolute) with the journal beside it, logging to `log` (absolute).
    /// - Throws: `unreachable` when it cannot be spawned.
    init(_ executable: String, socket: String, log: String) throws(WireError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600)
        _ = addChdir(&actions, "/")
        _ = addCloseFrom(&actions, 3)
        let attributes = SpawnAttributes(newSession: true)
        let arguments = [executable, "--socket-path", socket, "--log-file", log]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = Self.environment().map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, attributes.pointer, argv, envp)
        guard result == 0 else {
            throw WireError(
                .unreachable,
                "no agent answers on \(socket), and syncctl could not start \(executable) (log \(log)): "
                    + "\(Posix.errorText(result)). \(AgentAutostart.turnOff)")
        }
        self.pid = pid
        startThread { [self] in
            var raw: Int32 = 0
            while waitpid(self.pid, &raw, 0) < 0 && errno == EINTR {}
            self.status.withLock { $0 = raw }
        }
    }

    /// Whether it exited with status 1: how an agent ends that finds the socket taken (or cannot start).
    var exitedWithOne: Bool { status.withLock { $0 }.map { $0 & 0x7F == 0 && ($0 >> 8) & 0xFF == 1 } ?? false }

    /// How it ended (`exited with status 1`, `was killed by signal 9`), or `nil` while it runs.
    var ended: String? {
        guard let raw = status.withLock({ $0 }) else { return nil }
        let signal = raw & 0x7F
        return signal == 0 ? "exited with status \((raw >> 8) & 0xFF)" : "was killed by signal \(signal)"
    }

    /// syncctl's environment without what was meant for syncctl alone: a service manager's `NOTIFY_SOCKET` and
    /// socket-activation variables (the agent would take them as its own).
    private static func environment() -> [String] {
        let dropped = ["NOTIFY_SOCKET=", "LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES="]
        var entries: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if !dropped.contains(where: { text.hasPrefix($0) }) { entries.append(text) }
            pointer += 1
        }
        return entries
    }
}
