import SyncOS
/// `tcp:HOST:PORT`: passes when a TCP connection to HOST on PORT succeeds; the connection is closed at once.
public struct TCPProbe: ReadinessProbe {
    /// The longest one attempt takes by default: 250 ms (a local refusal takes microseconds).
    public static let defaultAttemptTimeout: Int64 = 250_000

    public let host: String
    public let port: UInt16
    /// Microseconds.
    public let attemptTimeout: Int64

    public init(host: String, port: UInt16, attemptTimeout: Int64 = TCPProbe.defaultAttemptTimeout) {
        self.host = host
        self.port = port
        self.attemptTimeout = attemptTimeout
    }

    public func probe() -> ProbeResult {
        switch SocketConnection.connect(host: host, port: port, deadline: SystemClock.monotonic() + attemptTimeout) {
        case .success(let connection):
            connection.close()
            return .passed
        case .failure(let failure):
            return .notYet(failure.reason)
        }
    }
}
