import NIOCore
import SyncCore

/// A request that waits on the agent: a parked `start` or `wait`.
struct ParkedRequest {
    enum Kind {
        case start(unit: String, token: String?)
        case completion(units: [String])
    }
    var connection: UInt64
    var requestID: Int64
    var kind: Kind
    /// When its timeout expires, if it has one.
    var deadline: NIODeadline?
    /// The sequence number of the last event when it was parked (for a start: its `wait_began` event).
    var parkedAt: UInt64

    /// A `wait` (as opposed to a `start`): parking it changes nothing, so it can always be parked again.
    var isCompletion: Bool {
        if case .completion = kind { return true }
        return false
    }
}

/// The requests parked on the agent, by wait id, with their timeouts.
///
/// Owned by ``AgentCore`` and used on its event loop only. The graph knows the same waits by the same ids (it decides
/// when one is released); this type holds what the graph does not: who asked, and when the asker stops waiting.
/// Its contract: a request leaves through ``release(_:)`` (or ``takeAll()``) exactly once, and an expiry never fires
/// for a request that left; an expiry calls `onExpiry` with the wait id while the request is still here, for the
/// agent to ``release(_:)`` and answer it.
///
/// The timeouts are kept in one ``DeadlineHeap`` behind a single event-loop timer for the earliest of them: a
/// request that leaves costs a dictionary removal (its heap entry is dropped when it comes up, or when stale entries
/// outnumber the parked requests), so releasing N requests costs O(N), not the O(N²) of cancelling N NIO timers.
struct ParkedWaits {
    let loop: any EventLoop
    /// Called on the loop when a parked request's timeout expires (set once, before anything is parked).
    var onExpiry: (WaitID) -> Void {
        get { state.onExpiry }
        nonmutating set { state.onExpiry = newValue }
    }
    private let state: State
    private var nextID: UInt64 = 1

    init(loop: any EventLoop) {
        self.loop = loop
        state = State(loop: loop)
    }

    /// Requests parked now.
    var count: Int { state.requests.count }

    var isEmpty: Bool { state.requests.isEmpty }

    /// The request parked as `id`, if it still is.
    subscript(id: WaitID) -> ParkedRequest? { state.requests[id] }

    /// A new wait id, never handed out before.
    mutating func makeID() -> WaitID {
        defer { nextID += 1 }
        return WaitID(nextID)
    }

    /// Parks `request` as `id`; with a timeout, its clock starts now.
    /// - Parameter timeoutMs: the timeout in milliseconds; `nil` or 0 waits for ever.
    mutating func park(_ id: WaitID, _ request: ParkedRequest, timeoutMs: Int64?) {
        var request = request
        if let timeoutMs, timeoutMs > 0 {
            request.deadline = loop.now + .milliseconds(timeoutMs)
        }
        state.requests[id] = request
        if let deadline = request.deadline { state.schedule(id, deadline) }
    }

    /// Parks a request again after the graph was rebuilt: its timeout keeps running, or with `rearm` (it was
    /// released meanwhile), is set again for the deadline it had.
    mutating func restore(_ id: WaitID, _ request: ParkedRequest, rearm: Bool) {
        state.requests[id] = request
        if rearm, let deadline = request.deadline { state.schedule(id, deadline) }
    }

    /// Takes the request parked as `id` out; its timeout no longer counts. - Returns: the request, if it was still
    /// parked.
    mutating func release(_ id: WaitID) -> ParkedRequest? {
        state.requests.removeValue(forKey: id)
    }

    /// Takes every request out, oldest first; no timeout counts any more.
    mutating func takeAll() -> [(id: WaitID, request: ParkedRequest)] {
        let all = state.requests.sorted { $0.key < $1.key }.map { (id: $0.key, request: $0.value) }
        state.requests = [:]
        state.clearTimeouts()
        return all
    }

    /// Takes every request out with its timeout still counting, oldest first (to ``restore(_:_:rearm:)`` them).
    mutating func detachAll() -> [(id: WaitID, request: ParkedRequest)] {
        defer { state.requests = [:] }
        return state.requests.sorted { $0.key < $1.key }.map { (id: $0.key, request: $0.value) }
    }

    /// What the loop's timer reaches: the requests and their deadlines (a class, so the timer's closure sees the
    /// requests as they are when it fires).
    private final class State {
        let loop: any EventLoop
        var onExpiry: (WaitID) -> Void = { _ in }
        var requests: [WaitID: ParkedRequest] = [:]
        var deadlines = DeadlineHeap()
        /// The one timer, armed for ``armedFor``.
        var timer: Scheduled<Void>?
        var armedFor: NIODeadline?

        init(loop: any EventLoop) { self.loop = loop }

        func schedule(_ id: WaitID, _ deadline: NIODeadline) {
            // Entries of requests that left are dropped once they outnumber the parked ones (amortised O(1)).
            if deadlines.count >= 2 * requests.count + 64 {
                deadlines.filter { requests[$0.id]?.deadline == $0.deadline }
            }
            deadlines.push(DeadlineHeap.Entry(deadline: deadline, id: id))
            arm()
        }

        func clearTimeouts() {
            deadlines.removeAll()
            timer?.cancel()
            timer = nil
            armedFor = nil
        }

        /// Arms the timer for the earliest deadline, unless it is armed for it already.
        private func arm() {
            guard let first = deadlines.first, first.deadline != armedFor else { return }
            timer?.cancel()
            armedFor = first.deadline
            let state = NIOLoopBound(self, eventLoop: loop)
            timer = loop.scheduleTask(deadline: first.deadline) { state.value.fire() }
        }

        /// The timer fired: every request whose deadline passed expires, oldest deadline first.
        private func fire() {
            timer = nil
            armedFor = nil
            let now = loop.now
            var due: [WaitID] = []
            while let first = deadlines.first, first.deadline <= now {
                _ = deadlines.pop()
                // A request parked again for the same deadline has two entries, next to each other.
                if requests[first.id]?.deadline == first.deadline, due.last != first.id { due.append(first.id) }
            }
            arm()
            for id in due where requests[id] != nil { onExpiry(id) }
        }
    }
}
