import SyncOS
/// `http://HOST:PORT/PATH`: passes when an HTTP/1.0 `GET PATH` answers with a 2xx or 3xx status line. Reads only
/// the status line; no TLS, no redirects followed (a 3xx already counts as ready).
public struct HTTPProbe: ReadinessProbe {
    public let host: String
    public let port: UInt16
    public let path: String
    /// Microseconds, for the connection, the request and the status line together.
    public let attemptTimeout: Int64

    public init(host: String, port: UInt16, path: String, attemptTimeout: Int64 = TCPProbe.defaultAttemptTimeout) {
        self.host = host
        self.port = port
        self.path = path
        self.attemptTimeout = attemptTimeout
    }

    public func probe() -> ProbeResult {
        let deadline = SystemClock.monotonic() + attemptTimeout
        let connection: SocketConnection
        switch SocketConnection.connect(host: host, port: port, deadline: deadline) {
        case .success(let made): connection = made
        case .failure(let failure): return .notYet(failure.reason)
        }
        defer { connection.close() }
        let request =
            "GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\nUser-Agent: syncctl\r\nConnection: close\r\n\r\n"
        if let failure = connection.send(Array(request.utf8), deadline: deadline) { return .notYet(failure.reason) }
        switch connection.receive(limit: 1024, deadline: deadline, complete: { $0.contains(UInt8(ascii: "\n")) }) {
        case .failure(let failure): return .notYet(failure.reason)
        case .success(let bytes): return Self.judge(statusLine: bytes)
        }
    }

    /// Passed for a 2xx or 3xx status line ("HTTP/1.1 204 No Content"); otherwise "HTTP 503" or what was wrong.
    static func judge(statusLine bytes: [UInt8]) -> ProbeResult {
        guard !bytes.isEmpty else { return .notYet("connection closed without an answer") }
        let line = String(
            decoding: bytes.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let fields = line.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), fields[1].count == 3, let status = Int(fields[1]) else {
            return .notYet("not an HTTP answer: \(line.prefix(40))")
        }
        return (200..<400).contains(status) ? .passed : .notYet("HTTP \(status)")
    }
}
