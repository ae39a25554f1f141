import Dispatch
import SyncOS
import Synchronization
import Testing

@preconcurrency import Glibc

/// `Descriptor.writeAll`: all of a buffer larger than a pipe holds, failures as errno, sockets without SIGPIPE, and
/// the EAGAIN hook of non-blocking descriptors.
@Suite("Descriptor")
struct DescriptorTests {
    /// A pipe's two ends.
    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        try #require(Glibc.pipe(&fds) == 0)
        return (fds[0], fds[1])
    }

    /// Reads `fd` to its end.
    private static func readAll(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    @Test func writesMoreThanAPipeHolds() throws {
        let (reader, writer) = try Self.pipe()
        let text = String(repeating: "0123456789abcdef", count: 64 * 1024)  // 1 MiB, 16 pipe buffers
        // The reader gets a Dispatch thread of its own: the writer blocks until it reads.
        let received = Mutex<[UInt8]>([])
        let done = DispatchSemaphore(value: 0)
        DispatchQueue(label: "reader").async {
            received.withLock { $0 = Self.readAll(reader) }
            done.signal()
        }
        try Descriptor.writeAll(writer, text)
        close(writer)
        done.wait()
        #expect(received.withLock { $0 } == Array(text.utf8))
        close(reader)
    }

    @Test func aClosedDescriptorFailsWithItsErrno() throws {
        let (reader, writer) = try Self.pipe()
        close(reader)
        close(writer)
        #expect(throws: Descriptor.Failure(code: EBADF)) { try Descriptor.writeAll(writer, "x") }
    }

    @Test func aSocketWhosePeerLeftFailsWithEPIPEInsteadOfASignal() throws {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        close(fds[1])
        // Without MSG_NOSIGNAL this would raise SIGPIPE and end the test process.
        #expect(throws: Descriptor.Failure(code: EPIPE)) { try Descriptor.writeAll(fds[0], "x", as: .socket) }
        close(fds[0])
    }

    @Test func aFullNonBlockingDescriptorCallsWhenFullUntilAllIsWritten() throws {
        let (reader, writer) = try Self.pipe()
        _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
        let text = String(repeating: "x", count: 256 * 1024)
        var drained = 0
        var calls = 0
        try Descriptor.writeAll(writer, text) {
            calls += 1
            drained += Self.readSome(reader)
        }
        close(writer)
        drained += Self.readAll(reader).count
        #expect(calls > 0, "a 64 KiB pipe fills before 256 KiB are written")
        #expect(drained == text.utf8.count)
        close(reader)
    }

    @Test func withoutWhenFullAFullNonBlockingDescriptorFails() throws {
        let (reader, writer) = try Self.pipe()
        _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
        #expect(throws: Descriptor.Failure(code: EAGAIN)) {
            try Descriptor.writeAll(writer, String(repeating: "x", count: 1024 * 1024))
        }
        close(writer)
        close(reader)
    }

    /// Reads what is in `fd` now (at most 64 KiB).
    private static func readSome(_ fd: Int32) -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        return max(0, chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) })
    }
}
