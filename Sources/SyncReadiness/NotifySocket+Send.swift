@preconcurrency import Glibc
import SyncOS

extension NotifySocket {
    /// Sends `text` (newline-separated `KEY=VALUE` lines, such as `"READY=1\nSTATUS=accepting connections"`) as one
    /// datagram to `socket`, a `NOTIFY_SOCKET` value: an absolute path, or `@name` for an abstract socket. The
    /// sending side of the protocol, as a service speaks it (for tests and the benchmarks).
    /// - Throws: ``Failure`` naming the socket when the value is not a usable address or the datagram is refused
    ///   (no socket there, no permission, too large).
    public static func send(_ text: String, to socket: String) throws(NotifySocket.Failure) {
        guard socket.hasPrefix("/") || socket.hasPrefix("@"), socket.utf8.count > 1 else {
            throw Failure("cannot notify '\(socket)': NOTIFY_SOCKET must be an absolute path or @name")
        }
        guard socket.utf8.count <= pathLimit else {
            throw Failure("cannot notify \(socket): longer than the \(pathLimit) bytes of a Unix socket address")
        }
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = Glibc.socket(AF_UNIX, type, 0)
        guard descriptor >= 0 else { throw Failure("cannot notify \(socket): \(errorText(errno))") }
        defer { Glibc.close(descriptor) }
        var (address, length) = address(socket)
        let bytes = Array(text.utf8)
        var sent: Int
        repeat {
            sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                    bytes.withUnsafeBytes {
                        sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), target, length)
                    }
                }
            }
        } while sent < 0 && errno == EINTR
        guard sent == bytes.count else {
            throw Failure("cannot notify \(socket): \(sent < 0 ? errorText(errno) : "datagram cut short")")
        }
    }
}
