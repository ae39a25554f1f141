@preconcurrency import Glibc

/// The files that go with a socket, and its directory.
extension SocketPath {
    /// A file beside the socket named after it: `agent.sock` → `agent.<suffix>` (any other name gets `.<suffix>`
    /// appended). The journal is `sibling("journal")`, the log of an agent syncctl started `sibling("log")`.
    public func sibling(_ suffix: String) -> String {
        path.hasSuffix(".sock") ? String(path.dropLast(5)) + "." + suffix : path + "." + suffix
    }

    /// The log of an agent that syncctl started on this socket.
    public var autostartLogPath: String { sibling("log") }

    /// `mkdir -p` with mode 0700 for every directory it creates (set explicitly: the umask does not apply).
    /// - Returns: false (with `errno` set) when a directory could not be created.
    public static func makeDirectories(_ path: String) -> Bool {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) == 0 {
                chmod(prefix, 0o700)
            } else if errno != EEXIST {
                return false
            }
        }
        return true
    }
}
