@preconcurrency import Glibc

/// Where the agent's socket is. The agent and every client resolve it the same way:
/// `--socket-path` > `$SYNC_AGENT_SOCKET_PATH` > `$XDG_RUNTIME_DIR/sync-agent.sock` (when that directory exists and
/// belongs to the user) > `/tmp/sync-agent-<uid>/agent.sock`.
public struct SocketPath: Sendable, Equatable, CustomStringConvertible {
    /// The `--socket-path` help of every executable.
    public static let optionHelp =
        "Path of the agent's socket (default: $SYNC_AGENT_SOCKET_PATH, "
        + "$XDG_RUNTIME_DIR/sync-agent.sock, /tmp/sync-agent-<uid>/agent.sock)."

    /// The environment variable that names the socket.
    public static let environmentVariable = "SYNC_AGENT_SOCKET_PATH"

    /// Where the path came from.
    public enum Source: String, Sendable {
        case flag = "--socket-path"
        case environment = "SYNC_AGENT_SOCKET_PATH"
        case runtimeDirectory = "XDG_RUNTIME_DIR"
        case defaultDirectory = "default"
    }

    public var path: String
    public var source: Source

    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }

    public var description: String { path }

    /// The directory that holds the socket.
    public var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Resolves the socket path.
    /// - Parameters:
    ///   - explicit: the `--socket-path` value, if given (an empty string counts as not given).
    ///   - environment: looks up environment variables (the process environment by default).
    public static func resolve(
        explicit: String? = nil, environment: (String) -> String? = Environment.value
    ) -> SocketPath {
        if let explicit, !explicit.isEmpty { return SocketPath(path: explicit, source: .flag) }
        if let fromEnvironment = environment(environmentVariable), !fromEnvironment.isEmpty {
            return SocketPath(path: fromEnvironment, source: .environment)
        }
        // A relative XDG_RUNTIME_DIR is invalid (XDG Base Directory spec); it would also differ with each cwd.
        if let runtime = environment("XDG_RUNTIME_DIR"), runtime.hasPrefix("/"), isOwnDirectory(runtime) {
            let base = runtime.hasSuffix("/") ? String(runtime.dropLast()) : runtime
            return SocketPath(path: base + "/sync-agent.sock", source: .runtimeDirectory)
        }
        return SocketPath(path: defaultDirectory + "/agent.sock", source: .defaultDirectory)
    }

    /// `/tmp/sync-agent-<uid>`: created 0700 by the agent; must belong to the user and not be a symlink.
    public static var defaultDirectory: String { "/tmp/sync-agent-\(getuid())" }

    /// Whether `path` is a directory (not a symlink to one) owned by the current user.
    static func isOwnDirectory(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == getuid()
    }
}
