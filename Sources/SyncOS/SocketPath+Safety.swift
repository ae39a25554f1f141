@preconcurrency import Glibc

/// Why a socket path must not be used: another user could put their own socket there (and pass for the agent), or
/// the path is ambiguous. The message says what is wrong, with what, and what to do instead.
public struct UnsafeSocketPath: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension SocketPath {
    /// What to do when the path is refused; the same advice from the agent and every client.
    public static let saferPlaces =
        "Use a directory only you can write: set XDG_RUNTIME_DIR to one, or give --socket-path "
        + "(or SYNC_AGENT_SOCKET_PATH) a path in one"

    /// The rules the agent applies before it listens and every client before it connects, so that only the user
    /// (or root) can have put a socket at this path:
    /// - `SYNC_AGENT_SOCKET_PATH` must be absolute (a relative one names a different socket in each directory);
    /// - the default directory `/tmp/sync-agent-<uid>` must be a real directory (not a symlink), owned by the
    ///   user, mode 700;
    /// - the socket's directory and every directory above it (symlinks resolved) must belong to the user or root,
    ///   and none may be writable by group or others unless it has the sticky bit (as /tmp): a group member or
    ///   another user could otherwise rename it away and put theirs in its place;
    /// - every symbolic link on the way must belong to the user or root (its owner could point it elsewhere).
    ///
    /// A directory that does not exist passes (nothing can listen in it; the agent creates it first, 0700).
    /// - Throws: ``UnsafeSocketPath`` naming the directory, what is wrong and what to do.
    public func checkSafety() throws(UnsafeSocketPath) {
        if source == .environment && !path.hasPrefix("/") {
            throw UnsafeSocketPath(
                "\(Self.environmentVariable) is the relative path \"\(path)\": it names a different socket in each "
                    + "directory. Set it to an absolute path")
        }
        let directory = Self.absolute(self.directory)
        var info = stat()
        guard lstat(directory, &info) == 0 else {
            if errno == ENOENT { return }
            throw UnsafeSocketPath("check socket directory \(directory): \(Self.errorText())")
        }
        if source == .defaultDirectory { try Self.checkDefaultDirectory(directory, info) }
        try Self.checkLinks(directory)
        guard let real = Self.realPath(directory) else {
            if errno == ENOENT { return }
            throw UnsafeSocketPath("check socket directory \(directory): \(Self.errorText())")
        }
        var prefixes = ["/"]
        for component in real.split(separator: "/") {
            prefixes.append((prefixes.count == 1 ? "" : prefixes[prefixes.count - 1]) + "/" + component)
        }
        for prefix in prefixes {
            try Self.checkOwnedAndClosed(prefix, isSocketDirectory: prefix == real, shownAs: directory)
        }
    }

    /// The default directory is the user's own, made by the agent: anything else there was put by someone else.
    private static func checkDefaultDirectory(_ directory: String, _ info: stat) throws(UnsafeSocketPath) {
        if (info.st_mode & S_IFMT) == S_IFLNK {
            throw UnsafeSocketPath(
                "socket directory \(directory) is a symbolic link; refusing to use it. Remove it, or: \(saferPlaces)")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw UnsafeSocketPath("socket directory \(directory) is not a directory. Remove it, or: \(saferPlaces)")
        }
        guard info.st_uid == getuid() else {
            throw UnsafeSocketPath(
                "socket directory \(directory) belongs to uid \(info.st_uid), not to you (uid \(getuid())): "
                    + "another user may be passing for your agent; refusing to use it. \(saferPlaces) "
                    + "(and have \(directory) removed)")
        }
        if info.st_mode & 0o077 != 0 {
            throw UnsafeSocketPath(
                "socket directory \(directory) has mode \(String(info.st_mode & 0o777, radix: 8)); it must be 700. "
                    + "Run chmod 700 \(directory) or remove it")
        }
    }

    /// Each symlink on the lexical path must be the user's or root's.
    private static func checkLinks(_ directory: String) throws(UnsafeSocketPath) {
        var prefix = ""
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            guard lstat(prefix, &info) == 0 else { return }
            if (info.st_mode & S_IFMT) == S_IFLNK && info.st_uid != getuid() && info.st_uid != 0 {
                throw UnsafeSocketPath(
                    "\(prefix), on the way to socket directory \(directory), is a symbolic link of uid "
                        + "\(info.st_uid), not yours (uid \(getuid())) or root's: its owner could point it elsewhere. "
                        + saferPlaces)
            }
        }
    }

    /// `path` (a directory without symlinks) belongs to the user or root and only they can change its entries.
    private static func checkOwnedAndClosed(
        _ path: String, isSocketDirectory: Bool, shownAs directory: String
    ) throws(UnsafeSocketPath) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw UnsafeSocketPath("check socket directory \(path): \(errorText())")
        }
        let what = isSocketDirectory ? "socket directory \(path)" : "\(path), above socket directory \(directory),"
        guard info.st_uid == getuid() || info.st_uid == 0 else {
            throw UnsafeSocketPath(
                "\(what) belongs to uid \(info.st_uid), not to you (uid \(getuid())) or root: its owner could "
                    + "replace the socket. \(saferPlaces)")
        }
        if info.st_mode & 0o022 != 0 && info.st_mode & S_ISVTX == 0 {
            let who = info.st_mode & 0o002 != 0 ? "anyone" : "its group"
            throw UnsafeSocketPath(
                "\(what) has mode \(String(info.st_mode & 0o7777, radix: 8)): \(who) may replace the socket "
                    + "\(isSocketDirectory ? "in it" : "or its directory"). Run chmod go-w (or +t) \(path), or: "
                    + saferPlaces)
        }
    }

    /// The path made absolute against the current directory (for a child process that may run elsewhere).
    public var absolutePath: String { Self.absolute(path) }

    /// `path` made absolute against the current directory.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path == "." ? cwd : (cwd == "/" ? "" : cwd) + "/" + path
    }

    /// `realpath(3)`, or `nil` with `errno` set.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
