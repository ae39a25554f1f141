@preconcurrency import Glibc
import SyncClient
import SyncOS
import SyncProtocol

/// `syncctl doctor`'s checks of the socket path, its directory and the agent. Each looks and says; none changes
/// anything, and none starts an agent.
extension DoctorReport {
    /// Runs every check against `socket`.
    static func gather(socket: SocketPath, autostart: AgentAutostart) async -> DoctorReport {
        let directory = directoryCheck(socket)
        let (agent, hello) = await agentCheck(socket, autostartOff: autostart.turnedOffBy())
        let process = hello.map { AgentProcessInfo(pid: $0.pid) }
        return DoctorReport(checks: [
            socketCheck(socket), directory, agent, journalCheck(socket, hello: hello, process: process),
            limitsCheck(hello: hello, process: process), autostartCheck(autostart, agentAnswers: hello != nil),
        ])
    }

    /// Where the path came from, in words.
    static func origin(of socket: SocketPath) -> String {
        switch socket.source {
        case .flag: return "given with --socket-path"
        case .environment: return "from $SYNC_AGENT_SOCKET_PATH"
        case .runtimeDirectory: return "from $XDG_RUNTIME_DIR (no --socket-path, no $SYNC_AGENT_SOCKET_PATH)"
        case .defaultDirectory:
            return "the default (no --socket-path, no $SYNC_AGENT_SOCKET_PATH, $XDG_RUNTIME_DIR unset or not yours)"
        }
    }

    static func socketCheck(_ socket: SocketPath) -> DoctorCheck {
        let kind = kindOfFile(at: socket.path)
        let facts: [(String, JSON)] = [
            ("path", .string(socket.path)), ("source", .string(socket.source.rawValue)),
            ("file", kind.map(JSON.string) ?? .null),
        ]
        let summary = "\(socket.path), \(origin(of: socket))"
        if socket.path.utf8.count > 107 {
            return DoctorCheck(
                "socket", .problem, summary + "; \(socket.path.utf8.count) bytes long, Unix sockets allow 107",
                fix: "choose a shorter path (--socket-path or SYNC_AGENT_SOCKET_PATH)", facts: facts)
        }
        if let kind, kind != "socket" {
            return DoctorCheck(
                "socket", .problem, summary + "; \(kind) is there, not a socket",
                fix: "remove \(socket.path), or choose another path (--socket-path or SYNC_AGENT_SOCKET_PATH)",
                facts: facts)
        }
        return DoctorCheck("socket", .ok, summary, facts: facts)
    }

    static func directoryCheck(_ socket: SocketPath) -> DoctorCheck {
        let path = socket.directory
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return DoctorCheck(
                "directory", .note, "\(path) does not exist yet; the agent creates it (mode 700) when it starts",
                facts: [("path", .string(path)), ("exists", .bool(false)), ("owner_uid", .null), ("mode", .null)])
        }
        let mode = String(info.st_mode & 0o7777, radix: 8)
        let owner = info.st_uid == getuid() ? "yours (uid \(info.st_uid))" : "owned by uid \(info.st_uid)"
        let facts: [(String, JSON)] = [
            ("path", .string(path)), ("exists", .bool(true)), ("owner_uid", .int(Int64(info.st_uid))),
            ("mode", .string(mode)),
        ]
        let summary = "\(path): \(owner), mode \(mode)"
        do {
            try socket.checkSafety()
        } catch {
            return DoctorCheck("directory", .problem, summary, fix: error.message, facts: facts)
        }
        return DoctorCheck("directory", .ok, summary + "; only you (or root) can put a socket there", facts: facts)
    }

    /// Says hello (never starting an agent); the hello's answer when an agent gave one.
    static func agentCheck(_ socket: SocketPath, autostartOff: String?) async -> (DoctorCheck, HelloInfo?) {
        let mine = ProtocolVersion.productVersion
        let client: SyncClient
        do {
            client = try await SyncClient.connect(to: socket, client: "syncctl doctor", helloTimeout: .seconds(2))
        } catch {
            let facts: [(String, JSON)] = [
                ("answers", .bool(false)), ("error", .string(error.message)), ("agent_version", .null),
                ("protocol_version", .null), ("pid", .null), ("instance", .null), ("syncctl_version", .string(mine)),
            ]
            return (agentProblem(error, socket, autostartOff: autostartOff, facts: facts), nil)
        }
        defer { client.close() }
        guard let hello = client.connection.hello else {
            return (DoctorCheck("agent", .problem, "answered without a hello", fix: "restart it", facts: []), nil)
        }
        let given: [(String, JSON)] = [
            ("answers", .bool(true)), ("error", .null), ("agent_version", .string(hello.agentVersion)),
            ("protocol_version", .int(hello.version)), ("pid", .int(hello.pid)), ("instance", .string(hello.instance)),
            ("syncctl_version", .string(mine)),
        ]
        var summary =
            "sync-agent \(hello.agentVersion) answers (pid \(hello.pid), protocol \(hello.version), instance "
            + "\(hello.instance))"
        var facts = given
        if let store = hello.store {
            // Only from an agent on a shared store: the output for the journal file stays as it was.
            summary += "; shared store \(store), workspace \"\(hello.workspace ?? "")\""
            facts += [("store", .string(store)), ("workspace", hello.workspace.map(JSON.string) ?? .null)]
        }
        if hello.agentVersion != mine || hello.version < ProtocolVersion.current {
            summary += "; this syncctl is \(mine) (protocol \(ProtocolVersion.current))"
            return (
                DoctorCheck(
                    "agent", .note, summary,
                    fix: "restart the agent to run the version installed with this syncctl", facts: facts),
                hello
            )
        }
        return (DoctorCheck("agent", .ok, summary, facts: facts), hello)
    }

    /// Why no agent answered, and what to do.
    private static func agentProblem(
        _ error: WireError, _ socket: SocketPath, autostartOff: String?, facts: [(String, JSON)]
    ) -> DoctorCheck {
        let path = socket.path
        let start = "start one: sync-agent --socket-path \(path) &"
        switch (error.code, error.posixError) {
        case (.unreachable, ENOENT?):
            guard let autostartOff else {
                return DoctorCheck(
                    "agent", .note,
                    "no agent is running (nothing at \(path)); the next command that changes or waits on state "
                        + "starts one", facts: facts)
            }
            return DoctorCheck(
                "agent", .problem, "no agent is running (nothing at \(path)), and autostart is off (\(autostartOff))",
                fix: start, facts: facts)
        case (.unreachable, ECONNREFUSED?) where kindOfFile(at: path) == "socket":
            return DoctorCheck(
                "agent", .problem,
                "no agent answers: \(path) is a stale socket (its agent was killed or stopped without removing it)",
                fix: autostartOff == nil
                    ? "any command that changes state starts an agent, which replaces it; or \(start); or rm \(path)"
                    : "\(start) (it replaces the stale socket); or rm \(path)", facts: facts)
        case (.unreachable, EACCES?):
            return DoctorCheck(
                "agent", .problem, "the socket \(path) is not yours: \(error.message)",
                fix: "run syncctl as the agent's user, or use your own socket (--socket-path)", facts: facts)
        case (.unsafeSocket, _):
            return DoctorCheck("agent", .note, "not asked: the socket's path is not safe (see directory)", facts: facts)
        default:
            return DoctorCheck(
                "agent", .problem, "no answer on \(path): \(error.message)",
                fix: "see who listens there (ss -xlp | grep \(path)); stop it, then \(start)", facts: facts)
        }
    }

    /// `socket`, `regular file`, `directory`, `symbolic link`, `other`; `nil` when nothing is at `path`.
    static func kindOfFile(at path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFSOCK: return "socket"
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        default: return "another kind of file"
        }
    }
}
