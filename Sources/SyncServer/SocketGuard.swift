@preconcurrency import Glibc
import SyncOS
import SyncProtocol

/// Makes a socket path safe to listen on, and holds it: the directory exists with the right owner and mode, no
/// other agent is live there (an exclusive lock on `<socket>.lock` proves it), and a stale socket file is gone.
///
/// A socket handed over by socket activation (`adopting`) is its starter's: the guard checks the directory and
/// takes the lock (one agent per path still), but neither replaces nor ever removes the socket file.
final class SocketGuard {
    let socketPath: SocketPath
    private let adopting: Bool
    private var lockFD: Int32 = -1
    /// The socket file we bound (device and inode), so ``release()`` removes it, and only it: not a socket that
    /// another process (systemd's socket unit) has put at the path since.
    private var ownSocket: (device: dev_t, inode: ino_t)?

    init(_ socketPath: SocketPath, adopting: Bool = false) {
        self.socketPath = socketPath
        self.adopting = adopting
    }

    deinit { release() }

    /// Prepares the path; after it returns the caller may bind.
    /// - Throws: ``AgentStartError`` when the directory is unsafe, another agent is listening, or a file that is
    ///   not a socket is in the way.
    func acquire() throws(AgentStartError) {
        do {
            try prepare()
        } catch {
            release()
            throw error
        }
    }

    /// Binds the socket path (mode 0600) and listens, so that ``release()`` removes the file. The agent binds it
    /// itself rather than through NIO, which would remove whatever is at the path when it closes the socket.
    /// - Returns: the listening descriptor (close-on-exec), for NIO to adopt.
    func bind(backlog: Int32) throws(AgentStartError) -> Int32 {
        let path = socketPath.path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AgentStartError("listen on unix socket \(path): socket: \(Self.errorText())") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        // Bound with the process's umask, then made 0600 before it listens: no client can connect before that
        // (connect is refused until listen), and the umask is left alone, since it is the whole process's (the
        // scripts that an in-process agent's host spawns meanwhile would inherit a changed one).
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            let message = Self.errorText()
            close(fd)
            throw AgentStartError("listen on unix socket \(path): bind: \(message)")
        }
        var info = stat()
        if lstat(path, &info) == 0 { ownSocket = (info.st_dev, info.st_ino) }
        guard chmod(path, 0o600) == 0 else {
            let message = Self.errorText()
            close(fd)
            throw AgentStartError("listen on unix socket \(path): chmod 0600: \(message)")
        }
        guard listen(fd, backlog) == 0 else {
            let message = Self.errorText()
            close(fd)
            throw AgentStartError("listen on unix socket \(path): listen: \(message)")
        }
        return fd
    }

    private func prepare() throws(AgentStartError) {
        let path = socketPath.path
        if path.utf8.count > 107 {
            throw AgentStartError(
                "socket path \(path) is \(path.utf8.count) bytes long; Unix sockets allow 107. "
                    + "Choose a shorter --socket-path")
        }
        try prepareDirectory()
        try takeLock()
        if adopting { return }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw AgentStartError(
                    "\(path) exists and is not a socket; remove it or choose another --socket-path")
            }
            if SocketGuard.isLive(path) {
                throw AgentStartError(
                    "another agent is listening on \(path); stop it first or choose another --socket-path",
                    isInUse: true)
            }
            guard unlink(path) == 0 || errno == ENOENT else {
                throw AgentStartError("remove stale socket \(path): \(SocketGuard.errorText())")
            }
        }
    }

    /// Removes the socket file (only when we bound it, and it is still the one we bound) and drops the lock.
    /// Idempotent.
    func release() {
        if let own = ownSocket {
            var info = stat()
            if lstat(socketPath.path, &info) == 0 && info.st_dev == own.device && info.st_ino == own.inode {
                unlink(socketPath.path)
            }
            ownSocket = nil
        }
        guard lockFD >= 0 else { return }
        close(lockFD)
        lockFD = -1
    }

    /// Creates the directory when it is missing (0700), then applies the rules every client applies too
    /// (``SocketPath/checkSafety()``): only the user or root can have put anything there.
    private func prepareDirectory() throws(AgentStartError) {
        let directory = socketPath.directory
        var info = stat()
        if lstat(directory, &info) != 0 {
            guard errno == ENOENT else {
                throw AgentStartError("check socket directory \(directory): \(SocketGuard.errorText())")
            }
            guard SocketPath.makeDirectories(directory) else {
                throw AgentStartError("create socket directory \(directory): \(SocketGuard.errorText())")
            }
        }
        do {
            try socketPath.checkSafety()
        } catch {
            throw AgentStartError(error.message)
        }
    }

    private func takeLock() throws(AgentStartError) {
        let lockPath = socketPath.path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw AgentStartError("open lock file \(lockPath): \(SocketGuard.errorText())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw AgentStartError(
                "another agent is listening on \(socketPath.path); stop it first or choose another --socket-path",
                isInUse: true)
        }
        lockFD = fd
    }

    /// Whether something accepts connections on `path`.
    static func isLive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
