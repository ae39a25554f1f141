import SyncCore

/// Whether the agent's shared store can be reached, as a subscription of protocol version 3 is told it (the push
/// `store`): `{"id":5,"push":"store","store":"postgres://ci@db:5432/graph","reachable":false,
/// "since_us":1764640000000000,"reason":"cannot reach store …: connection refused"}` when the agent finds the store
/// unreachable (its reads are then marked ``StaleRead``), and `{"id":5,"push":"store","store":…,"reachable":true,
/// "since_us":…}` once it reached it again. A subscription opened while the store is unreachable gets the first
/// right after its snapshot (or the events it resumed with); otherwise the store is reachable. An agent on the
/// journal file never sends it, nor does any agent to a client whose `hello` said version 1 or 2.
public struct StoreReachability: Sendable, Equatable {
    /// The store, without any password (as `hello` reports it).
    public var store: String
    /// Whether the agent reaches the store (changes are accepted, reads are current).
    public var reachable: Bool
    /// When the agent found it unreachable, or reached it again.
    public var since: Timestamp
    /// Why it cannot be reached (the store's error, in words); `nil` when it is reachable.
    public var reason: String?

    public init(store: String, reachable: Bool, since: Timestamp, reason: String? = nil) {
        self.store = store
        self.reachable = reachable
        self.since = since
        self.reason = reachable ? nil : reason
    }

    /// The fields after `id` and `push`, in wire order.
    public var fields: [(String, JSON)] {
        var fields: [(String, JSON)] = [
            ("store", .string(store)), ("reachable", .bool(reachable)), ("since_us", .int(since.rawValue)),
        ]
        if let reason { fields.append(("reason", .string(reason))) }
        return fields
    }

    /// Decodes the push's fields. - Throws: when one is missing or of the wrong type.
    init(_ fields: inout FieldReader) throws(FieldError) {
        self.init(
            store: try fields.string("store"), reachable: try fields.bool("reachable"),
            since: Timestamp(microseconds: try fields.int("since_us")), reason: try fields.optionalString("reason"))
    }

    /// The mark the agent's reads carry meanwhile: `nil` once the store is reachable.
    public var staleRead: StaleRead? { reachable ? nil : StaleRead(store: store, since: since) }
}
