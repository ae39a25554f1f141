@preconcurrency import Glibc
import NIOCore
import NIOPosix
import PostgresNIO

/// Opening a connection that notices a dead peer: a connection must not look alive when the network under it is
/// gone, or the agent would wait forever for notifications that cannot come (its parked waiters never woken) and
/// another agent's lock would stay held.
///
/// - Over TCP, the socket probes an idle connection (``keepaliveIdle``, then every ``keepaliveInterval``,
///   ``keepaliveProbes`` unanswered probes close it) and closes one whose sent data stays unacknowledged for
///   ``userTimeout`` (`TCP_USER_TIMEOUT`). Without them Linux notices an idle dead peer only after two hours
///   (`tcp_keepalive_time`), and unacknowledged data only after about 15 minutes (`tcp_retries2`). A closed
///   connection wakes the agent, which then finds the store unreachable, refuses changes and retries.
/// - On the server, every session of the agent ends a transaction left idle for ``idleTransactionTimeout``
///   (`idle_in_transaction_session_timeout`, 5 s by default; the agent's transactions never wait for anything but
///   the server, so only a lost or stopped agent leaves one idle): an agent cut off (or stopped) inside a change holds the workspace's
///   lock, and the server would otherwise keep its session, and the lock, until its own keepalive noticed (two hours
///   by default), refusing every other agent's changes meanwhile. A change holds the lock outside a transaction (a
///   session-level lock, see ``PostgresSchema``), so while it holds it the session's `idle_session_timeout` is the
///   same limit.
extension PostgresEventStore {
    /// Idle time before the first keepalive probe.
    static let keepaliveIdle = 5
    /// Time between unanswered probes.
    static let keepaliveInterval = 2
    /// Unanswered probes that close the connection.
    static let keepaliveProbes = 3
    /// The longest sent data may stay unacknowledged before the connection closes, in milliseconds.
    static let userTimeout = 10_000

    /// Opens a connection. Its whole start-up (TCP, TLS, authentication) is bounded by postgres-nio's
    /// `connectTimeout`: a server that takes the connection and then never answers fails it within 5 s.
    func connect() -> EventLoopFuture<PostgresConnection> {
        connectionCount += 1
        let id = connectionCount
        var options = PostgresConnection.Configuration.Options()
        options.connectTimeout = .seconds(5)
        options.additionalStartupParameters = [
            ("application_name", origin),
            ("idle_in_transaction_session_timeout", "\(idleTransactionTimeout.nanoseconds / 1_000_000)"),
            // `lock_and_read` reads what was committed once it holds the lock: each statement's own snapshot.
            ("default_transaction_isolation", "read committed"),
        ]
        guard !address.isSocket else {
            var configuration = PostgresConnection.Configuration(
                unixSocketPath: address.socketPath, username: address.user, password: password,
                database: address.database)
            configuration.options = options
            return PostgresConnection.connect(on: storeLoop, configuration: configuration, id: id, logger: logger)
        }
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try Self.tlsConfiguration(for: address)
        } catch {
            return storeLoop.makeFailedFuture(error)
        }
        if address.tls == .verifyFull { options.tlsServerName = address.host }
        let tcpOptions = options
        return tcpBootstrap().connect(host: address.host, port: address.port).flatMap { channel in
            var configuration = PostgresConnection.Configuration(
                establishedChannel: channel, tls: tls, username: self.address.user, password: self.password,
                database: self.address.database)
            configuration.options = tcpOptions
            return PostgresConnection.connect(
                on: self.storeLoop, configuration: configuration, id: id, logger: self.logger
            )
            .flatMapError { error in
                channel.close(promise: nil)
                return self.storeLoop.makeFailedFuture(error)
            }
        }
    }

    /// A TCP connection with the keepalive and user timeout above.
    private func tcpBootstrap() -> ClientBootstrap {
        func tcp(_ name: Int32) -> ChannelOptions.Types.SocketOption {
            ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: name))
        }
        return ClientBootstrap(group: storeLoop)
            .connectTimeout(.seconds(5))
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelOption(tcp(Int32(TCP_KEEPIDLE)), value: Self.keepaliveIdle)
            .channelOption(tcp(Int32(TCP_KEEPINTVL)), value: Self.keepaliveInterval)
            .channelOption(tcp(Int32(TCP_KEEPCNT)), value: Self.keepaliveProbes)
            .channelOption(tcp(Int32(TCP_USER_TIMEOUT)), value: Self.userTimeout)
    }
}
