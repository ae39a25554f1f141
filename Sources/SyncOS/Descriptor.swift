@preconcurrency import Glibc

/// Writing to a file descriptor: the one loop that writes a whole buffer, retrying after `EINTR` (a signal that
/// arrived mid-write), used for standard output, the journal, the client's socket and the bench's sockets; and the
/// blocking read that retries after `EINTR` too.
public enum Descriptor {
    /// How the bytes go out.
    public enum Kind: Sendable {
        /// `write(2)`: files, pipes, terminals.
        case file
        /// `send(2)` with `MSG_NOSIGNAL`: a socket whose peer went away fails with `EPIPE` instead of raising
        /// SIGPIPE, which would end a process that does not ignore it (syncctl).
        case socket
    }

    /// A write that failed, with its `errno`.
    public struct Failure: Error, Sendable, Equatable {
        public var code: Int32

        public init(code: Int32) { self.code = code }
    }

    /// Writes all of `bytes` to `fd`, retrying after `EINTR`.
    /// - Parameters:
    ///   - kind: `write(2)` or `send(2)` (see ``Kind``).
    ///   - whenFull: for a non-blocking descriptor: called when it is full (`EAGAIN`), typically to wait until it is
    ///     writable, before trying again. Without it, `EAGAIN` is a failure like any other.
    /// - Throws: ``Failure`` with the `errno` of the first error other than `EINTR`; the bytes written before it
    ///   stay written.
    public static func writeAll(
        _ fd: Int32, _ bytes: UnsafeRawBufferPointer, as kind: Kind = .file, whenFull: (() -> Void)? = nil
    ) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let start = bytes.baseAddress! + offset
            let count = bytes.count - offset
            let written =
                switch kind {
                case .file: Glibc.write(fd, start, count)
                case .socket: Glibc.send(fd, start, count, Int32(MSG_NOSIGNAL))
                }
            if written >= 0 {
                offset += written
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN, let whenFull {
                whenFull()
                continue
            }
            throw Failure(code: code)
        }
    }

    /// Writes all of `text`'s UTF-8 bytes to `fd`; see ``writeAll(_:_:as:whenFull:)``.
    public static func writeAll(
        _ fd: Int32, _ text: String, as kind: Kind = .file, whenFull: (() -> Void)? = nil
    ) throws(Failure) {
        var text = text
        let failure = text.withUTF8 { buffer -> Failure? in
            do throws(Failure) {
                try writeAll(fd, UnsafeRawBufferPointer(buffer), as: kind, whenFull: whenFull)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Reads what `fd` has, up to `limit` bytes, blocking until at least one byte or the end; retries after `EINTR`,
    /// which any thread of a process with a signal handler installed without `SA_RESTART` can see (Foundation's
    /// `FileHandle` stops the process on it instead).
    /// - Returns: the bytes read; empty at the end of the stream.
    /// - Throws: ``Failure`` with the `errno` of an error other than `EINTR`.
    public static func readSome(_ fd: Int32, limit: Int = 65_536) throws(Failure) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, limit) }
            if count >= 0 { return Array(buffer.prefix(count)) }
            let code = errno
            if code != EINTR { throw Failure(code: code) }
        }
    }
}
