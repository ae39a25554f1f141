import Foundation

/// A client written from docs/PROTOCOL.md alone, for the attack tests: a Unix stream socket, JSON lines out, JSON
/// lines in, read with Foundation's `JSONSerialization`: none of the project's protocol or client types, so that it
/// sees the wire as an outsider's program does.
///
/// Blocking calls run on a thread of their own (never on the concurrency pool, which two blocked reads would starve),
/// and give up after 60 s so that a test can fail but never hang.
final class WireClient: @unchecked Sendable {
    struct Closed: Error, CustomStringConvertible {
        var description: String
    }

    private let fd: Int32
    // Used by one test task at a time.
    private var pending: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            Foundation.close(fd)
            throw Closed(description: "connect \(path): errno \(error)")
        }
        var limit = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Sends `bytes` as they are. - Returns: false when the agent closed the connection.
    @discardableResult
    func send(bytes: [UInt8]) async -> Bool {
        (try? await offPool { self.sendBlocking(bytes) }) ?? false
    }

    /// Sends one frame: `text` and a newline.
    @discardableResult
    func send(_ text: String) async -> Bool { await send(bytes: Array((text + "\n").utf8)) }

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

    /// The next line from the agent, without its newline. - Throws: ``Closed`` when the agent closed the connection
    /// (or 60 s passed without a line).
    func line() async throws -> String {
        try await offPool { try self.lineBlocking() }
    }

    /// Whether the agent closed the connection with no further line.
    func closedWithoutMore() async -> Bool {
        (try? await line()) == nil
    }

    private func lineBlocking() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { throw Closed(description: "the agent closed the connection (or sent nothing for 60 s)") }
            pending += chunk[..<count]
        }
    }

    /// Sends `request` and returns the next line.
    func exchange(_ request: String) async throws -> String {
        await send(request)
        return try await line()
    }

    /// The next line, as a JSON object.
    func object() async throws -> [String: Any] { try Self.object(try await line()) }

    /// Sends `request` and returns the next line as a JSON object.
    func ask(_ request: String) async throws -> [String: Any] { try Self.object(try await exchange(request)) }

    static func object(_ line: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Closed(description: "not a JSON object: \(line)")
        }
        return object
    }

    func close() { Foundation.close(fd) }
}

extension Dictionary where Key == String, Value == Any {
    /// The keys, sorted: what a test compares with the documented fields.
    var keySet: Set<String> { Set(keys) }

    subscript(object key: String) -> [String: Any]? { self[key] as? [String: Any] }
    subscript(string key: String) -> String? { self[key] as? String }
    subscript(int key: String) -> Int? { self[key] as? Int }
    subscript(bool key: String) -> Bool? { self[key] as? Bool }
    subscript(array key: String) -> [Any]? { self[key] as? [Any] }
}
