@preconcurrency import Glibc
import SyncOS
import Synchronization

/// The receiving end of the sd_notify protocol: a Unix datagram socket bound at `DIRECTORY/notify.sock` (mode 0600),
/// whose ``path`` a service gets in `NOTIFY_SOCKET` and sends `READY=1`, `STATUS=…` and the like to.
///
/// The caller makes DIRECTORY private (0700, its own) and removes it; the socket is `SOCK_DGRAM | SOCK_CLOEXEC |
/// SOCK_NONBLOCK`. A sender running as another user needs write permission on the socket and search permission on
/// the directories above it (chown both to that user). Poll ``descriptor`` for input and call ``receive()`` when it
/// is readable; ``receive()`` never blocks. Safe from any thread; ``close()`` closes the socket and removes its file.
public final class NotifySocket: Sendable {
    /// Why no socket could be made: the path and what to do about it.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// The largest datagram read whole: systemd's own senders keep to a few KiB. A larger one is dropped whole (as
    /// systemd drops one that does not fit its buffer), never cut into lines that were not sent.
    public static let receiveLimit = 65_536

    /// The longest path a Unix socket address holds (`sun_path` less its terminating NUL).
    public static let pathLimit = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// The value for `NOTIFY_SOCKET`: the socket's absolute path.
    public let path: String

    private struct State {
        var descriptor: Int32
        var buffer: [UInt8]
    }
    private let state: Mutex<State>

    /// Binds `directory/notify.sock`. A relative `directory` is taken from the working directory (the path must be
    /// absolute for senders).
    /// - Throws: ``Failure`` when the path does not fit a socket address, or the socket cannot be made or bound
    ///   (say a directory that does not exist, or a file already at the path).
    public init(directory: String) throws(NotifySocket.Failure) {
        let base = directory.hasPrefix("/") ? directory : Self.workingDirectory() + "/" + directory
        path = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/notify.sock"
        guard path.utf8.count <= Self.pathLimit else {
            throw Failure(
                "cannot create the notify socket \(path): the path is \(path.utf8.count) bytes, a Unix socket "
                    + "path can have at most \(Self.pathLimit); use a shorter directory (TMPDIR)")
        }
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let descriptor = socket(AF_UNIX, type, 0)
        guard descriptor >= 0 else {
            throw Failure("cannot create the notify socket \(path): \(errorText(errno))")
        }
        var (address, length) = Self.address(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, chmod(path, 0o600) == 0 else {
            let reason = errorText(errno)
            Glibc.close(descriptor)
            throw Failure(
                "cannot bind the notify socket \(path): \(reason); its directory must exist and hold no notify.sock")
        }
        state = Mutex(State(descriptor: descriptor, buffer: []))
    }

    deinit { close() }

    /// The socket's descriptor, non-blocking: readable when a datagram waits (for `poll`); -1 after ``close()``.
    public var descriptor: Int32 { state.withLock { $0.descriptor } }

    /// Every message of every datagram waiting now, in the order received; `[]` when none waits or after
    /// ``close()``. Never blocks. A datagram over ``receiveLimit`` bytes is dropped whole.
    public func receive() -> [NotifyMessage] {
        state.withLock { state in
            var messages: [NotifyMessage] = []
            guard state.descriptor >= 0 else { return messages }
            if state.buffer.isEmpty { state.buffer = [UInt8](repeating: 0, count: Self.receiveLimit) }
            let descriptor = state.descriptor
            while true {
                // MSG_TRUNC: the datagram's real length, so one that did not fit is seen and dropped.
                let count = state.buffer.withUnsafeMutableBytes {
                    recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC))
                }
                if count < 0 {
                    if errno == EINTR { continue }
                    return messages
                }
                if count <= Self.receiveLimit { messages += NotifyMessage.parse(Array(state.buffer[..<count])) }
            }
        }
    }

    /// Closes the socket and removes its file; later calls do nothing.
    public func close() {
        state.withLock { state in
            guard state.descriptor >= 0 else { return }
            Glibc.close(state.descriptor)
            state.descriptor = -1
            state.buffer = []
            unlink(path)
        }
    }

    /// A socket address for `value` as `NOTIFY_SOCKET` gives it: a path, or an abstract name after `@` (its bytes
    /// exactly, no NUL). A value over ``pathLimit`` bytes is cut there: check its length first.
    static func address(_ value: String) -> (sockaddr_un, socklen_t) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(value.utf8.prefix(pathLimit))
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        // An abstract name is exactly its bytes; a path ends at its NUL.
        let length = offset + bytes.count + (abstract ? 0 : 1)
        return (address, socklen_t(length))
    }

    private static func workingDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}
