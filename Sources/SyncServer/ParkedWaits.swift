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
    var timer: Scheduled<Void>?
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

/// The requests parked on the agent, by wait id, with their timeout timers.
///
/// Owned by ``AgentCore`` and used on its event loop only. The graph knows the same waits by the same ids (it decides
/// when one is released); this type holds what the graph does not: who asked, and when the asker stops waiting.
/// Its contract: a request leaves through ``release(_:)`` (or ``takeAll()``) exactly once, and its timer is
/// cancelled then, so an expiry never fires for a request that already left; an expiry calls `onExpiry` with the
/// wait id while the request is still here, for the agent to ``release(_:)`` and answer it.
struct ParkedWaits {
    let loop: any EventLoop
    /// Called on the loop when a parked request's timeout expires (set once, before anything is parked).
    var onExpiry: (WaitID) -> Void = { _ in }
    private var requests: [WaitID: ParkedRequest] = [:]
    private var nextID: UInt64 = 1

    init(loop: any EventLoop) {
        self.loop = loop
    }

    /// Requests parked now.
    var count: Int { requests.count }

    var isEmpty: Bool { requests.isEmpty }

    /// The request parked as `id`, if it still is.
    subscript(id: WaitID) -> ParkedRequest? { requests[id] }

    /// A new wait id, never handed out before.
    mutating func makeID() -> WaitID {
        defer { nextID += 1 }
        return WaitID(nextID)
    }

    /// Parks `request` as `id`; with a timeout, its timer starts now.
    /// - Parameter timeoutMs: the timeout in milliseconds; `nil` or 0 waits for ever.
    mutating func park(_ id: WaitID, _ request: ParkedRequest, timeoutMs: Int64?) {
        var request = request
        if let timeoutMs, timeoutMs > 0 {
            request.deadline = loop.now + .milliseconds(timeoutMs)
        }
        arm(&request, id)
        requests[id] = request
    }

    /// Parks `request` again after the graph was rebuilt: its timer keeps running, or with `rearm`, starts again
    /// for the deadline it had (its old timer was cancelled when it left).
    mutating func restore(_ id: WaitID, _ request: ParkedRequest, rearm: Bool) {
        var request = request
        if rearm {
            request.timer?.cancel()
            request.timer = nil
            arm(&request, id)
        }
        requests[id] = request
    }

    /// Takes the request parked as `id` out, and stops its timer. - Returns: the request, if it was still parked.
    mutating func release(_ id: WaitID) -> ParkedRequest? {
        guard let request = requests.removeValue(forKey: id) else { return nil }
        request.timer?.cancel()
        return request
    }

    /// Takes every request out, oldest first, and stops their timers.
    mutating func takeAll() -> [(id: WaitID, request: ParkedRequest)] {
        let all = requests.sorted { $0.key < $1.key }.map { (id: $0.key, request: $0.value) }
        requests = [:]
        for (_, request) in all { request.timer?.cancel() }
        return all
    }

    /// Takes every request out with its timer still running, oldest first (to ``restore(_:_:rearm:)`` them).
    mutating func detachAll() -> [(id: WaitID, request: ParkedRequest)] {
        defer { requests = [:] }
        return requests.sorted { $0.key < $1.key }.map { (id: $0.key, request: $0.value) }
    }

    private func arm(_ request: inout ParkedRequest, _ id: WaitID) {
        guard let deadline = request.deadline else { return }
        let onExpiry = NIOLoopBound(self.onExpiry, eventLoop: loop)
        request.timer = loop.scheduleTask(deadline: deadline) { onExpiry.value(id) }
    }
}
