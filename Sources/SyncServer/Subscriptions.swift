/// The open event-stream subscriptions, in the order they were opened, and the two decisions about them: how a
/// new one starts (resumed from the event ring, or from a snapshot) and who gets the next event (a subscriber that
/// cannot take more is dropped instead).
///
/// Owned by ``AgentCore`` and used on its event loop only; it holds no connection, only ids, so the decisions are
/// plain functions of what the agent tells it.
struct Subscriptions {
    /// One subscription: the connection it lives on and the id of the `subscribe` request that opened it.
    struct Subscriber: Equatable {
        var connection: UInt64
        var requestID: Int64
    }

    private(set) var all: [Subscriber] = []

    var count: Int { all.count }
    var isEmpty: Bool { all.isEmpty }

    mutating func add(connection: UInt64, requestID: Int64) {
        all.append(Subscriber(connection: connection, requestID: requestID))
    }

    /// Ends subscription `requestID` of `connection`.
    mutating func remove(connection: UInt64, requestID: Int64) {
        all.removeAll { $0.connection == connection && $0.requestID == requestID }
    }

    /// Ends every subscription of `connection` (it closed).
    mutating func removeAll(of connection: UInt64) {
        all.removeAll { $0.connection == connection }
    }

    /// Ends every subscription. - Returns: them, in the order they were opened.
    mutating func takeAll() -> [Subscriber] {
        defer { all = [] }
        return all
    }

    /// The events a subscriber that asks for those after `since` in history `instance` is sent first, when the
    /// ring still holds all of them and the history is this agent's (`nil` instance: the client does not know).
    /// - Returns: the events to resume with, or `nil` for a snapshot.
    static func resumption(
        since: UInt64?, instance: String?, agentInstance: String, ring: EventRing, latest: UInt64
    ) -> [EventRing.Entry]? {
        guard let since, instance == nil || instance == agentInstance else { return nil }
        return ring.entries(after: since, latest: latest)
    }

    /// Splits the subscribers for the next event into those that get it and those to drop, in the order they
    /// subscribed. A subscriber whose connection is gone is in neither.
    /// - Parameter canTakeMore: whether a connection takes more output now; `nil` when it is gone.
    func fanOut(canTakeMore: (UInt64) -> Bool?) -> (live: [Subscriber], slow: [Subscriber]) {
        var live: [Subscriber] = []
        var slow: [Subscriber] = []
        for subscriber in all {
            switch canTakeMore(subscriber.connection) {
            case true?: live.append(subscriber)
            case false?: slow.append(subscriber)
            case nil: break
            }
        }
        return (live, slow)
    }
}
