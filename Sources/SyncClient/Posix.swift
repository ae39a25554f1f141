@preconcurrency import Glibc
import SyncOS

/// The few POSIX calls the client makes, with Go-style error texts (lower case, as coder prints them).
public enum Posix {
    /// A failed call's `errno`.
    public struct Errno: Error {
        public var code: Int32
    }

    /// Closes a descriptor.
    static func closeDescriptor(_ fd: Int32) {
        close(fd)
    }

    /// `strerror(errno)` with a lower-case first letter: `no such file or directory`.
    public static func errorText(_ code: Int32 = errno) -> String { SyncOS.errorText(code) }

    /// What is at `path` when it is something other than a socket (symlinks followed): `a directory`,
    /// `a regular file`, `some other kind of file`; `nil` for a socket or nothing at all.
    public static func nonSocketKind(at path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFSOCK: return nil
        case S_IFDIR: return "a directory"
        case S_IFREG: return "a regular file"
        default: return "some other kind of file"
        }
    }

    /// Connects a stream socket to `path`. - Returns: the descriptor, or the errno of the failure.
    public static func connectUnix(_ path: String) -> Result<Int32, Errno> {
        guard path.utf8.count < 108 else { return .failure(Errno(code: ENAMETOOLONG)) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(Errno(code: errno)) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            return .failure(Errno(code: code))
        }
        return .success(fd)
    }
}
