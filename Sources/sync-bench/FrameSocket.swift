import SyncClient
import SyncOS
import SyncProtocol

@preconcurrency import Glibc

/// A bare connection to the agent for generating load: requests go out as frames encoded up front, replies come
/// back as byte slices that are classified, not parsed, so the client costs as little CPU as possible and the
/// agent is what gets measured.
final class FrameSocket {
    /// What a frame from the agent is.
    enum Kind: Equatable {
        case ok, error, push, other
    }

    let fd: Int32
    private var pending: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline goes on: everything before it was searched.
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    /// Connects (blocking) to the socket at `path`.
    init(path: String) throws(BenchError) {
        switch Posix.connectUnix(path) {
        case .success(let descriptor): fd = descriptor
        case .failure(let error): throw .errno("connect \(path)", error.code)
        }
    }

    deinit { close(fd) }

    /// Makes reads and writes return at once instead of blocking.
    func setNonBlocking() {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// One request as a frame: compact JSON and a newline.
    static func frame(_ id: Int64, _ body: Request.Body) -> String {
        Request(id: id, body).json.compact + "\n"
    }

    /// Sends all of `text` (blocking socket).
    func send(_ text: String) throws(BenchError) {
        do {
            try Descriptor.writeAll(fd, text, as: .socket) { Self.waitWritable(self.fd) }
        } catch {
            throw .errno("send", error.code)
        }
    }

    /// Sends as much of `bytes[offset...]` as the socket takes now. - Returns: the bytes sent (0 when full).
    func sendSome(_ bytes: UnsafeRawBufferPointer) throws(BenchError) -> Int {
        let written = Glibc.send(fd, bytes.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL))
        if written < 0 {
            if errno == EAGAIN || errno == EINTR { return 0 }
            throw .errno("send")
        }
        return written
    }

    /// Reads what is available into the buffer. - Returns: bytes read; 0 at end of stream; -1 when nothing is
    /// there yet (non-blocking).
    func fill() throws(BenchError) -> Int {
        if start > 0 && start >= pending.count / 2 {
            pending.removeSubrange(..<start)
            scanned -= start
            start = 0
        }
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return -1 }
            throw .errno("read")
        }
        pending += chunk[..<count]
        return count
    }

    /// The next complete frame already received, without its newline.
    func nextFrame() -> ArraySlice<UInt8>? {
        // Bytes already searched are not searched again: a frame of megabytes arrives in many reads.
        guard let newline = pending[max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = pending.count
            return nil
        }
        let frame = pending[start..<newline]
        start = newline + 1
        scanned = start
        return frame
    }

    /// Blocks until a whole frame is there. - Throws: when the agent closes the connection first.
    func readFrame() throws(BenchError) -> ArraySlice<UInt8> {
        while true {
            if let frame = nextFrame() { return frame }
            let count = try fill()
            if count == 0 { throw BenchError("the agent closed the connection") }
            if count < 0 { Self.waitReadable(fd) }
        }
    }

    /// Sends hello and checks the reply.
    func hello() throws(BenchError) {
        try send(Self.frame(0, .hello(version: ProtocolVersion.current, client: "sync-bench")))
        let reply = try readFrame()
        guard Self.kind(of: reply) == .ok else {
            throw BenchError("hello refused: \(String(decoding: reply, as: UTF8.self))")
        }
    }

    /// Sends one request and waits for its reply (pushes before it are skipped). - Returns: the reply frame.
    @discardableResult
    func call(_ id: Int64, _ body: Request.Body) throws(BenchError) -> ArraySlice<UInt8> {
        try send(Self.frame(id, body))
        while true {
            let frame = try readFrame()
            if Self.kind(of: frame) != .push { return frame }
        }
    }

    /// Like ``call(_:_:)`` but fails unless the reply is a success.
    func expectOK(_ id: Int64, _ body: Request.Body) throws(BenchError) {
        let reply = try call(id, body)
        guard Self.kind(of: reply) == .ok else {
            throw BenchError("\(body.type) refused: \(String(decoding: reply, as: UTF8.self))")
        }
    }

    /// Classifies a frame by the field after its id: `{"id":N,"ok":true…`, `"ok":false`, or `"push"`.
    static func kind(of frame: ArraySlice<UInt8>) -> Kind {
        guard let comma = frame.firstIndex(of: UInt8(ascii: ",")) else { return .other }
        let rest = frame[(comma + 1)...]
        if rest.starts(with: okTrue) { return .ok }
        if rest.starts(with: okFalse) { return .error }
        if rest.starts(with: pushKey) { return .push }
        return .other
    }

    private static let okTrue = Array(#""ok":true"#.utf8)
    private static let okFalse = Array(#""ok":false"#.utf8)
    private static let pushKey = Array(#""push""#.utf8)

    static func waitReadable(_ fd: Int32, milliseconds: Int32 = -1) {
        var polled = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&polled, 1, milliseconds)
    }

    static func waitWritable(_ fd: Int32) {
        var polled = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&polled, 1, -1)
    }
}
