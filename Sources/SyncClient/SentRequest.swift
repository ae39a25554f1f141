import Synchronization
import SyncProtocol

/// A request already written to the agent by ``SyncConnection/sendNow(_:)``, whose answer any task may await later
/// with ``reply()``. It exists so that a thread that sees something happen (a service became ready) can tell the
/// agent at once, without first handing the work to a task on another thread.
public final class SentRequest: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Reply, any Error>?)
        case answered(Result<Reply, WireError>)
    }

    private let state = Mutex(State.waiting(nil))

    init() {}

    /// A request that was never written: ``reply()`` throws `error` at once.
    init(refused error: WireError) {
        state.withLock { $0 = .answered(.failure(error)) }
    }

    /// Hands over the answer; the first one counts, any later one is ignored.
    func deliver(_ result: Result<Reply, WireError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Reply, any Error>? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .answered(result)
            return waiter
        }
        waiter?.resume(with: result.mapError { $0 as any Error })
    }

    /// The agent's answer, decoded as a reply to the request: at once when it came already, else when it comes.
    /// Await it once. Cancelling the awaiting task does not cancel the request (the agent still carries it out).
    /// - Throws: what ``SyncConnection/request(_:onPush:)`` throws for the same request.
    public func reply() async throws(WireError) -> Reply {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let answered = state.withLock { state -> Result<Reply, WireError>? in
                    if case .answered(let result) = state { return result }
                    state = .waiting(continuation)
                    return nil
                }
                if let answered { continuation.resume(with: answered.mapError { $0 as any Error }) }
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.cancelled, "\(error)")
        }
    }
}
