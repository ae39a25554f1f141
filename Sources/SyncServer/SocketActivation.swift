@preconcurrency import Glibc
import SyncOS

/// A listening socket handed to the agent by its starter (systemd, `systemd-socket-activate`), found as
/// sd_listen_fds(3) specifies: `LISTEN_PID` is this process's pid, `LISTEN_FDS` says how many descriptors were
/// handed, from descriptor 3 on, and `LISTEN_FDNAMES` optionally names them.
///
/// The agent serves exactly one socket, a listening Unix stream socket bound to a path (clients find the agent by
/// path). The socket is its starter's: the agent never removes its file.
public struct HandedSocket: Sendable, Equatable {
    /// The descriptor (3).
    public var descriptor: Int32
    /// The path it is bound to, from getsockname(2).
    public var path: String
    /// Its name in `LISTEN_FDNAMES` (systemd gives the socket unit's name, or `FileDescriptorName=`), if any.
    public var name: String?

    public init(descriptor: Int32, path: String, name: String?) {
        self.descriptor = descriptor
        self.path = path
        self.name = name
    }
}

/// Socket activation: what the environment says, and the checks of the descriptor it names.
public enum SocketActivation {
    /// The first handed descriptor (`SD_LISTEN_FDS_START`).
    public static let firstDescriptor: Int32 = 3
    /// The variables of the protocol; the agent removes them all from its environment, as `sd_listen_fds(1)`
    /// does, so that no process it starts takes the socket for its own.
    public static let variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]

    /// What the environment asks for.
    public enum Request: Sendable, Equatable {
        /// Not activated: bind the socket path as usual.
        case none
        /// `LISTEN_FDS` is set for another process (`LISTEN_PID` is not ours): bind as usual; the reason is logged.
        case ignored(String)
        /// Serve descriptor 3, named `name` in `LISTEN_FDNAMES` if it is.
        case serve(name: String?)
    }

    /// Reads the variables (the pure part of ``take(environment:pid:)``).
    /// - Throws: ``AgentStartError`` when `LISTEN_FDS` is not a number, or names more than one descriptor.
    public static func request(environment: Environment.Lookup, pid: Int32) throws(AgentStartError) -> Request {
        guard let fds = environment("LISTEN_FDS") else { return .none }
        guard let pidText = environment("LISTEN_PID") else {
            return .ignored("LISTEN_FDS is set without LISTEN_PID")
        }
        guard Int32(pidText) == pid else {
            return .ignored("LISTEN_PID \(pidText) is not this process (pid \(pid))")
        }
        guard let count = Int(fds), count >= 0 else {
            throw AgentStartError(
                "socket activation: LISTEN_FDS is \"\(fds)\", not a number of descriptors; "
                    + "start sync-agent from a .socket unit or with systemd-socket-activate")
        }
        if count == 0 { return .none }
        let names = environment("LISTEN_FDNAMES")?.split(separator: ":", omittingEmptySubsequences: false)
            .map(String.init)
        guard count == 1 else {
            let named = names.map { " (\($0.joined(separator: ", ")))" } ?? ""
            throw AgentStartError(
                "socket activation handed \(count) sockets\(named); sync-agent serves exactly one: give its .socket "
                    + "unit a single ListenStream= (or systemd-socket-activate a single -l)")
        }
        return .serve(name: names?.first.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Takes the socket handed to this process, if one was: reads and removes the variables, checks descriptor 3
    /// and marks it close-on-exec.
    /// - Returns: the request (``Request/none`` or ``Request/ignored(_:)`` mean: bind as usual) and the socket
    ///   when there is one to serve.
    /// - Throws: ``AgentStartError`` when the variables are malformed, name more than one socket, or descriptor 3
    ///   is not a listening Unix stream socket bound to a path.
    public static func take() throws(AgentStartError) -> (Request, HandedSocket?) {
        let request: Request
        do {
            request = try Self.request(environment: Environment.value, pid: getpid())
        } catch {
            unsetVariables()
            throw error
        }
        unsetVariables()
        guard case .serve(let name) = request else { return (request, nil) }
        let path = try check(firstDescriptor)
        _ = fcntl(firstDescriptor, F_SETFD, FD_CLOEXEC)
        return (request, HandedSocket(descriptor: firstDescriptor, path: path, name: name))
    }

    private static func unsetVariables() {
        for name in variables { unsetenv(name) }
    }

    /// Checks that `fd` is a listening Unix stream socket bound to a path. - Returns: the path.
    static func check(_ fd: Int32) throws(AgentStartError) -> String {
        let handed = "descriptor \(fd), handed by socket activation (LISTEN_FDS=1),"
        let advice = "give sync-agent's .socket unit one ListenStream=/path (systemd-socket-activate: -l /path)"
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw AgentStartError("\(handed) cannot be used: \(errorText()); \(advice)")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw AgentStartError("\(handed) is \(kind(info.st_mode)), not a socket; \(advice)")
        }
        let domain = option(fd, SO_DOMAIN)
        guard domain == AF_UNIX else {
            let family = domain == AF_INET ? "an IPv4" : domain == AF_INET6 ? "an IPv6" : "a non-Unix"
            throw AgentStartError("\(handed) is \(family) socket, not a Unix socket; \(advice)")
        }
        let type = option(fd, SO_TYPE)
        guard type == Int32(SOCK_STREAM.rawValue) else {
            let name =
                type == Int32(SOCK_DGRAM.rawValue)
                ? "a datagram" : type == Int32(SOCK_SEQPACKET.rawValue) ? "a sequential-packet" : "a non-stream"
            throw AgentStartError("\(handed) is \(name) socket, not a stream socket; \(advice)")
        }
        guard option(fd, SO_ACCEPTCONN) == 1 else {
            throw AgentStartError("\(handed) is a Unix stream socket that is not listening; \(advice)")
        }
        guard let path = boundPath(fd) else {
            throw AgentStartError(
                "\(handed) is not bound to a path (an abstract or unnamed socket): clients find the agent by "
                    + "path; \(advice)")
        }
        return path
    }

    /// An integer socket option, or -1.
    private static func option(_ fd: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 else { return -1 }
        return value
    }

    /// The path of a Unix socket (getsockname(2)); `nil` for an abstract or unnamed one.
    static func boundPath(_ fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let pathOffset = MemoryLayout<sa_family_t>.size
        guard result == 0, Int(length) > pathOffset else { return nil }
        let bytes = withUnsafeBytes(of: &address.sun_path) { Array($0.prefix(Int(length) - pathOffset)) }
        guard let first = bytes.first, first != 0 else { return nil }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a pipe"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "something else"
        }
    }
}
