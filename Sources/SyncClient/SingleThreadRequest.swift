@preconcurrency import Glibc
import SyncCore
import SyncOS
import SyncProtocol

/// One request carried out by the calling thread alone: connect, hello, the request, its pushes and its reply, read
/// with `poll(2)` (on the socket, and on a ``SignalPipe`` for SIGINT and SIGTERM when it is interruptible). No
/// reader thread, no task, no Dispatch: called on the main thread of a process that has started no other thread,
/// it leaves that process one thread, so the agent's answer wakes that thread and nothing else has to run (or be
/// torn down at exit) before the process can print its line and end. syncctl runs `start`, `complete`, `want` and
/// `ping` this way; ``SyncConnection`` stays the client for everything else.
///
/// It finishes only what it can finish alone. What needs more (starting an agent, a hello in an older protocol
/// version, reconnecting after the agent went away) it hands back as an ``Outcome`` for the usual path to go on
/// with. The errors it reports are the usual client's, word for word.
public struct SingleThreadRequest {
    /// How the request ended, or what is left to do.
    public enum Outcome: Sendable {
        /// The agent's reply, decoded as the reply to the request.
        case replied(Reply)
        /// The request failed: the agent's error, `cancelled` after SIGINT or SIGTERM (the agent dropped the
        /// request), `timeout` with the deadline message when the agent did not answer by the deadline and its
        /// grace, or a reply or push that cannot be read.
        case failed(WireError)
        /// No agent answered the connection or took its hello, and nothing was sent: go the usual way (which may
        /// start an agent, or say hello in an older version).
        case notConnected
        /// The connection was lost, or the agent said it is shutting down, after the request was sent: whether
        /// the agent carried it out is unknown.
        case lost(Reconnector.Loss)
    }

    public let socketPath: SocketPath
    public let clientName: String
    /// The request's limit (`nil`: none); the client gives up ``Reconnector/grace`` after it.
    public let deadline: ContinuousClock.Instant?
    /// The message of the `timeout` when the client gives up by itself.
    public let deadlineMessage: String
    /// Whether SIGINT and SIGTERM cancel the request (a wait); otherwise they keep their usual effect.
    public let interruptible: Bool

    public init(
        socketPath: SocketPath, clientName: String = "syncctl", timeout: Duration? = nil,
        deadlineMessage: String = Reconnector.defaultDeadlineMessage, interruptible: Bool = false
    ) {
        self.socketPath = socketPath
        self.clientName = clientName
        self.deadline = timeout.map { ContinuousClock.now + $0 }
        self.deadlineMessage = deadlineMessage
        self.interruptible = interruptible
    }

    /// Runs the request. While it runs, an interruptible request catches SIGINT and SIGTERM (their previous
    /// handlers are back when it returns) and turns the first into a `cancel` on the agent.
    /// - Parameters:
    ///   - request: the request, given the milliseconds left before the deadline once connected, rounded up (for
    ///     a start's `timeout_ms`; `nil` without a deadline).
    ///   - onPush: called with each push the agent sends about the request before its reply.
    public func run(_ request: (Int64?) -> Request.Body, onPush: (Push) -> Void = { _ in }) -> Outcome {
        let signals = interruptible ? SignalPipe(signals: [SIGINT, SIGTERM]) : nil
        if interruptible && signals == nil { return .notConnected }
        let fd: Int32
        do {
            fd = try SyncConnection.openSocket(socketPath)
        } catch {
            signals?.restore()
            return error.code == .unsafeSocket ? .failed(error) : .notConnected
        }
        var exchange = Exchange(fd: fd, signals: signals, socketPath: socketPath)
        var outcome = converse(&exchange, request: request, onPush: onPush)
        close(fd)
        let late = signals?.restore() ?? []
        switch outcome {
        case .notConnected, .lost:
            // A signal that came as the connection ended still cancels: the usual path would not see it.
            if !late.isEmpty { outcome = .failed(Self.cancelled) }
        case .replied, .failed: break
        }
        return outcome
    }

    private static let cancelled = WireError(.cancelled, "interrupted")
    /// The id of the request: hello is 1.
    private static let id: Int64 = 2

    private func converse(
        _ exchange: inout Exchange, request makeRequest: (Int64?) -> Request.Body, onPush: (Push) -> Void
    ) -> Outcome {
        let clock = ContinuousClock()
        let instance: String
        switch hello(&exchange, clock: clock) {
        case .success(let named): instance = named
        case .failure(let ended): return ended.outcome
        }
        let request = makeRequest(deadline.map { max(clock.now.duration(to: $0), .milliseconds(1)).milliseconds })
        let loss = Reconnector.Loss(error: SyncConnection.lostConnection(socketPath), instance: instance)
        guard exchange.send(Request(id: Self.id, request)) else { return .lost(loss) }
        var interrupted = false
        while true {
            switch exchange.next(until: deadline.map { $0 + Reconnector.grace }) {
            case .message(.push(let id, let kind, let fields)) where id == Self.id:
                do {
                    onPush(try Push(kind: kind, fields: fields, answering: request))
                } catch {
                    return .failed(unreadable(error, what: "a \(goQuoted(kind)) push", of: request))
                }
            case .message(.reply(let id, .success(let value))) where id == Self.id:
                do {
                    return .replied(try Reply(json: value, answering: request))
                } catch {
                    return .failed(unreadable(error, what: "a reply", of: request))
                }
            case .message(.reply(let id, .failure(let error))) where id == Self.id || id == nil:
                if error.code == .badReply { return .failed(unreadable(error, what: "an error reply", of: request)) }
                if Reconnector.isLoss(error) && !interrupted {
                    return .lost(Reconnector.Loss(error: error, instance: instance))
                }
                return .failed(error)
            case .message: continue
            case .signal:
                if !interrupted { _ = exchange.send(Request(id: 0, .cancel(request: Self.id))) }
                interrupted = true
            case .timedOut: return .failed(WireError(.timeout, deadlineMessage))
            case .ended(let error?): return .failed(error)
            case .ended(nil): return interrupted ? .failed(Self.cancelled) : .lost(loss)
            }
        }
    }

    /// Why a hello did not lead to a request.
    private struct Ended: Error {
        var outcome: Outcome
    }

    /// Says hello in the current version. - Returns: the agent's instance, or how the request ends without it.
    private func hello(_ exchange: inout Exchange, clock: ContinuousClock) -> Result<String, Ended> {
        var limit = clock.now + Reconnector.helloTimeout
        if let deadline { limit = min(limit, deadline + Reconnector.grace) }
        let hello = Request.Body.hello(
            version: ProtocolVersion.current, client: clientName, clientVersion: ProtocolVersion.productVersion)
        guard exchange.send(Request(id: 1, hello)) else { return .failure(Ended(outcome: .notConnected)) }
        while true {
            switch exchange.next(until: limit) {
            case .message(.reply(let id, .success(let value))) where id == 1:
                guard case .hello(let info)? = try? Reply(json: value, answering: hello) else {
                    return .failure(Ended(outcome: .notConnected))
                }
                return .success(info.instance)
            case .message(.reply(_, .failure)), .ended: return .failure(Ended(outcome: .notConnected))
            case .message: continue
            case .signal: return .failure(Ended(outcome: .failed(Self.cancelled)))
            case .timedOut:
                if let deadline, clock.now >= deadline {
                    return .failure(Ended(outcome: .failed(WireError(.timeout, deadlineMessage))))
                }
                let unanswered = SyncConnection.helloUnanswered(socketPath, within: Reconnector.helloTimeout)
                return .failure(Ended(outcome: .failed(unanswered)))
            }
        }
    }

    private func unreadable(_ error: WireError, what: String, of request: Request.Body) -> WireError {
        SyncConnection.unreadable(
            error, what: what, of: request, id: Self.id, socketPath: socketPath, clientName: clientName)
    }
}
