@preconcurrency import Glibc
import SyncOS
import Synchronization
import SyncCore
import SyncProtocol

/// One connection to the agent, shared by any number of concurrent requests.
///
/// Requests are written from the caller's task; a reader thread splits the agent's frames and hands each reply or
/// push to the request it belongs to, so a parked `start` is woken the moment its reply arrives. Cancelling the
/// task of a request in flight sends `cancel` to the agent. Errors are ``WireError``s: the agent's own,
/// `unreachable` when the agent cannot be reached or went away, or `bad_reply` when a reply or push of the
/// agent cannot be decoded as what its request expects (the request ends with it, and is never left waiting).
public final class SyncConnection: Sendable {
    /// Receives the pushes of one request (a `waiting` start, a subscription's snapshot and events).
    public typealias PushHandler = @Sendable (Push) -> Void

    struct Pending {
        var request: Request.Body
        var answer: Answer
        var onPush: PushHandler?
    }

    /// Where the answer of a pending request goes: the task awaiting ``request(_:onPush:)``, or the handle
    /// ``sendNow(_:)`` returned.
    enum Answer {
        case awaited(CheckedContinuation<Reply, any Error>)
        case sent(SentRequest)

        func resume(_ result: Result<Reply, WireError>) {
            switch self {
            case .awaited(let continuation): continuation.resume(with: result.mapError { $0 as any Error })
            case .sent(let sent): sent.deliver(result)
            }
        }
    }

    struct State {
        var nextID: Int64 = 1
        var pending: [Int64: Pending] = [:]
        var cancelled: Set<Int64> = []
        var closedError: WireError?
        /// Why the client closed the connection itself (a hello that never came), reported instead of `lost`.
        var closeReason: WireError?
        /// An error about the whole connection that came before any request (the agent refuses a connection of
        /// another user, or past its limit, as soon as it connects): it explains the end of the connection.
        var refusal: WireError?
        /// The `stale` mark of the last successful reply (see ``lastStaleRead``).
        var lastStale: StaleRead?
    }

    /// Largest reply frame accepted from the agent: 256 MiB.
    public static let maxReplyBytes = 1 << 28

    /// The name this client gave in hello, for messages.
    let clientName: String
    /// The protocol version this connection speaks: the one its hello named, and the agent accepted.
    public let version: Int64

    /// The socket this connection reached.
    public let socketPath: SocketPath
    let fd: Int32
    let state = Mutex(State())
    private let helloInfo = Mutex<HelloInfo?>(nil)

    /// What the agent said in reply to hello (its version, pid, instance).
    public var hello: HelloInfo? { helloInfo.withLock { $0 } }
    private let writeLock = Mutex(())

    private init(socketPath: SocketPath, fd: Int32, clientName: String, version: Int64) {
        self.socketPath = socketPath
        self.fd = fd
        self.clientName = clientName
        self.version = version
    }

    deinit {
        Posix.closeDescriptor(fd)
    }

    /// Connects to the agent and says hello.
    /// - Parameters:
    ///   - socketPath: where the agent listens.
    ///   - client: a name for the agent's log, e.g. `syncctl`.
    ///
    /// Before it sends anything it checks that only the user or root can have put the socket there
    /// (``SocketPath/checkSafety()``, the agent's own rules) and that the process serving it runs as the user or
    /// root (`SO_PEERCRED`); otherwise another user could pass for the agent and read every request.
    /// - Throws: ``WireError`` `unsafe_socket` when either check fails; `unreachable` with coder's wording
    ///   (`connect to agent socket: connect to socket: dial unix PATH: connect: no such file or directory`); or
    ///   `unreachable` too when hello gets no answer within `helloTimeout` (a hung agent, or something else on the
    ///   socket); or the agent's refusal of the hello (`unsupported_version`).
    ///
    /// An agent older than this client refuses its hello with `unsupported_version`: the client then connects again
    /// speaking the version before, down to version 1, which every agent speaks, so a new `syncctl` works with an
    /// agent started before an upgrade (without what the later versions added: their event kinds, pushes and
    /// requests). A request that only a later version
    /// has then fails at once with `unsupported_version`, naming both versions (``versionRefusal(of:)``).
    ///
    /// The hello carries the client's version (`client_version`) for the agent's log. An agent from before that
    /// field refuses it as unknown (`bad_request`): the client then says hello again without it.
    public static func connect(
        to socketPath: SocketPath, client: String, helloTimeout: Duration = .seconds(10)
    ) async throws(WireError) -> SyncConnection {
        do {
            return try await connectFallingBack(
                to: socketPath, client: client, helloTimeout: helloTimeout,
                clientVersion: ProtocolVersion.productVersion)
        } catch  where error.code == .badRequest {
            return try await connectFallingBack(
                to: socketPath, client: client, helloTimeout: helloTimeout, clientVersion: nil)
        }
    }

    /// Says hello in the current version, and one version lower each time the agent does not speak it (3, then 2,
    /// then 1; without `client_version` in version 1: an agent that speaks only version 1 predates the field).
    private static func connectFallingBack(
        to socketPath: SocketPath, client: String, helloTimeout: Duration, clientVersion: String?
    ) async throws(WireError) -> SyncConnection {
        var version = ProtocolVersion.current
        while true {
            do {
                return try await connect(
                    to: socketPath, client: client, helloTimeout: helloTimeout, version: version,
                    clientVersion: version == 1 ? nil : clientVersion)
            } catch  where error.code == .unsupportedVersion && version > 1 {
                version -= 1
            }
        }
    }

    private static func connect(
        to socketPath: SocketPath, client: String, helloTimeout: Duration, version: Int64, clientVersion: String?
    ) async throws(WireError) -> SyncConnection {
        let fd = try openSocket(socketPath)
        let connection = SyncConnection(socketPath: socketPath, fd: fd, clientName: client, version: version)
        connection.startReading()
        let watchdog = Task {
            do { try await Task.sleep(for: helloTimeout) } catch { return }
            connection.close(because: helloUnanswered(socketPath, within: helloTimeout))
        }
        defer { watchdog.cancel() }
        let request = Request.Body.hello(version: version, client: client, clientVersion: clientVersion)
        // A refused hello ends the connection here: an agent that answered bad_request would keep it open (the
        // reader thread holding it) until its hello timeout, while the client tries again on a new one.
        let reply: Reply
        do {
            reply = try await connection.request(request)
        } catch {
            connection.close()
            throw error
        }
        guard case .hello(let hello) = reply else {
            connection.close()
            throw reply.mismatch(request)
        }
        connection.helloInfo.withLock { $0 = hello }
        return connection
    }

    /// Connects to the socket at `socketPath` once it checked that only the user or root can have put it there,
    /// and then that the process serving it runs as the user or root (see ``connect(to:client:helloTimeout:)``).
    /// - Returns: the connected descriptor (close-on-exec, blocking), which the caller owns.
    static func openSocket(_ socketPath: SocketPath) throws(WireError) -> Int32 {
        do {
            try socketPath.checkSafety()
        } catch {
            throw WireError(.unsafeSocket, error.message)
        }
        let fd: Int32
        switch Posix.connectUnix(socketPath.path) {
        case .success(let descriptor): fd = descriptor
        case .failure(let error): throw unreachable(socketPath, code: error.code)
        }
        if let refusal = PeerCheck.refusal(fd, socketPath: socketPath) {
            Posix.closeDescriptor(fd)
            throw refusal
        }
        return fd
    }

    /// Sends one request and returns its result once the agent answers, decoded as a reply to `body` (the case of
    /// ``Reply`` named after the request).
    /// - Parameter onPush: called, on the reader thread, for each push the agent sends before the reply.
    /// - Throws: the agent's error, `unreachable` when the connection is lost, `cancelled` when the task is
    ///   cancelled, `bad_reply` when the reply or a push cannot be decoded (the agent is told to drop the request).
    public func request(_ body: Request.Body, onPush: PushHandler? = nil) async throws(WireError) -> Reply {
        if let refusal = versionRefusal(of: body) { throw refusal }
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let refusal = state.withLock { state -> WireError? in
                        if let closed = state.closedError { return closed }
                        if state.cancelled.contains(id) { return WireError(.cancelled, "cancelled before it was sent") }
                        state.pending[id] = Pending(request: body, answer: .awaited(continuation), onPush: onPush)
                        return nil
                    }
                    if let refusal {
                        continuation.resume(throwing: refusal)
                    } else {
                        // A failed write means the agent closed the connection: the reader then fails the request,
                        // with the agent's reason when it gave one.
                        _ = send(Request(id: id, body))
                    }
                }
            } onCancel: {
                let sent = state.withLock { state in
                    state.cancelled.insert(id)
                    return state.pending[id] != nil
                }
                if sent { _ = send(Request(id: 0, .cancel(request: id))) }
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.cancelled, "\(error)")
        }
    }

    /// Writes one request at once, on the calling thread, and returns the handle its answer arrives on: for a
    /// message that must leave the moment something happens (a service became ready), with no hand-over to a task
    /// on another thread first. The write blocks only while the socket's buffer is full.
    /// - Returns: a handle whose ``SentRequest/reply()`` gives what ``request(_:onPush:)`` would have (the same
    ///   errors, at once when the connection is closed or the agent speaks too old a protocol).
    public func sendNow(_ body: Request.Body) -> SentRequest {
        if let refusal = versionRefusal(of: body) { return SentRequest(refused: refusal) }
        let sent = SentRequest()
        let id = state.withLock { state -> Int64? in
            if state.closedError != nil { return nil }
            defer { state.nextID += 1 }
            state.pending[state.nextID] = Pending(request: body, answer: .sent(sent), onPush: nil)
            return state.nextID
        }
        guard let id else { return SentRequest(refused: state.withLock { $0.closedError } ?? lost()) }
        // A failed write means the agent closed the connection: the reader then fails the request.
        _ = send(Request(id: id, body))
        return sent
    }

    /// The ``StaleRead`` mark of the last successful reply: set when the agent answered a read from its last copy
    /// of the graph because its shared store could not be reached, `nil` otherwise.
    public var lastStaleRead: StaleRead? { state.withLock { $0.lastStale } }

    /// Closes the connection; requests in flight fail with `unreachable`. Waits parked on the agent are dropped
    /// by the agent.
    public func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Closes the connection; requests in flight fail with `reason`.
    func close(because reason: WireError) {
        state.withLock { if $0.closeReason == nil { $0.closeReason = reason } }
        close()
    }

    func send(_ request: Request) -> Bool {
        let frame = request.json.compact + "\n"
        return writeLock.withLock { _ in
            (try? Descriptor.writeAll(fd, frame, as: .socket)) != nil
        }
    }

    /// Why `body` cannot be sent on this connection, if it cannot: it was added by a later protocol version than
    /// the agent speaks (the connection fell back to an older version), and an agent without it would answer a
    /// confusing `unknown_type`. The error names both sides' versions and what to do.
    func versionRefusal(of body: Request.Body) -> WireError? {
        let needed = ProtocolVersion.introduced(body)
        guard needed > version, let hello else { return nil }
        return WireError(
            .unsupportedVersion,
            "\(clientName) \(ProtocolVersion.productVersion) needs protocol \(needed) for \"\(body.type)\"; the agent "
                + "at \(socketPath.path) (sync-agent \(hello.agentVersion), pid \(hello.pid)) speaks only protocol "
                + "\(version): restart it with sync-agent \(ProtocolVersion.productVersion)")
    }

    func lost() -> WireError { Self.lostConnection(socketPath) }

    func fail(_ id: Int64, _ error: WireError) {
        let pending = state.withLock { $0.pending.removeValue(forKey: id) }
        pending?.answer.resume(.failure(error))
    }
}
