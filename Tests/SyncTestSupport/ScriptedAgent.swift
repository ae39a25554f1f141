import Foundation
import SyncOS
import SyncProtocol
import Synchronization

/// A stand-in for the agent on a Unix socket of a fresh directory: it answers `hello` as the agent does (unless
/// told not to) and every other request with the frames `answer` returns for it (none: the request stays
/// unanswered). It records every request it reads, so a test can see what a client sent (a `cancel`, say).
///
/// Each connection is served on a thread of its own; a connection silent for 120 s is closed, so a client that
/// wrongly keeps waiting fails with `unreachable` instead of hanging its test. (30 s was too short: in a full run on a
/// loaded 2-core machine, a test's task may not run for over 30 s between two requests.)
public final class ScriptedAgent: Sendable {
    public let directory = TemporaryDirectory()
    public var socketPath: SocketPath { SocketPath(path: directory.socket, source: .flag) }
    private let listener: Int32
    private let answer: @Sendable (Int64, JSON) -> [String]
    private let answersHello: Bool
    private let received = Mutex<[JSON]>([])

    /// - Parameters:
    ///   - answersHello: `false` hands `hello` to `answer` as well.
    ///   - answer: the frames (without newlines) that answer the request with this id and JSON; ``hangUp`` closes
    ///     the connection there.
    public init(
        answersHello: Bool = true, answer: @escaping @Sendable (_ id: Int64, _ request: JSON) -> [String]
    ) throws {
        self.answer = answer
        self.answersHello = answersHello
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = directory.socket
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard listener >= 0, bound == 0, listen(listener, 8) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// The requests read so far, in order, `hello` included.
    public var requests: [JSON] { received.withLock { $0 } }

    /// Stops listening and removes the directory; connections already open end when their client closes them.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        directory.remove()
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            var limit = timeval(tv_sec: 120, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                guard let request = try? JSON.parse(line), let id = request["id"]?.int64Value else { return }
                received.withLock { $0.append(request) }
                let frames = answersHello && request["type"] == "hello" ? [Self.hello(id)] : answer(id, request)
                for frame in frames {
                    if frame == Self.hangUp || !write(frame + "\n", to: connection) { return }
                }
            }
            let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            pending += chunk[..<count]
        }
    }

    private func write(_ text: String, to connection: Int32) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Foundation.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// A frame that, instead of being sent, closes the connection: an agent that went away before it answered.
    public static let hangUp = "\u{0}hang up"

    /// The agent's own hello reply.
    public static func hello(_ id: Int64) -> String {
        ServerMessage.ok(
            id, .hello(HelloInfo(version: 1, agentVersion: "scripted", pid: 1, maxFrameBytes: 1 << 20, instance: "s"))
        )
        .json.compact
    }
}
