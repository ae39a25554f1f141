import Foundation
import SyncClient
import SyncProtocol

/// A bare socket to the agent for tests that speak the protocol byte by byte: send anything, read frames back.
///
/// Its blocking calls run on a thread of their own, never on the concurrency pool: tests run in parallel on a pool
/// as wide as the machine has cores (2 here), and two tests blocked in `read` on it starved every other test.
/// Reads and writes also give up after 60 s, so a test can fail but never hang.
public final class RawConnection: @unchecked Sendable {
    // Used from one test task at a time; `fd` is only closed in `close()`.
    public let fd: Int32
    private var pending: [UInt8] = []

    public init(path: String) throws {
        switch Posix.connectUnix(path) {
        case .success(let descriptor): fd = descriptor
        case .failure(let error): throw POSIXError(POSIXErrorCode(rawValue: error.code) ?? .ECONNREFUSED)
        }
        var limit = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Runs a blocking call on a thread of its own and waits for it without holding a pool thread.
    private func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Sends raw bytes; returns false when the agent closed the connection.
    @discardableResult
    public func send(_ bytes: [UInt8]) async -> Bool {
        (try? await offPool { self.sendBlocking(bytes) }) ?? false
    }

    private func sendBlocking(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) async -> Bool { await send(Array(text.utf8)) }

    /// Sends hello naming protocol `version` (1 unless told) and checks the reply.
    public func hello(version: Int64 = 1) async throws {
        await send(#"{"id":0,"type":"hello","version":\#(version)}"# + "\n")
        guard let reply = try await readFrame(), reply["ok"] == .bool(true) else {
            throw POSIXError(.EPROTO)
        }
    }

    /// The next frame from the agent, or nil when it closed the connection (or 60 s passed without data).
    public func readFrame() async throws -> JSON? {
        try await offPool { try self.readFrameBlocking() }
    }

    private func readFrameBlocking() throws -> JSON? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let frame = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                return try JSON.parse(frame)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return nil }
            pending += chunk[..<count]
        }
    }

    public func close() { Foundation.close(fd) }
}
