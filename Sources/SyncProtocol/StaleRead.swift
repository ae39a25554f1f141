import SyncCore

/// The mark of a read answered while the agent's shared store cannot be reached: the agent answered from its last
/// copy of the graph, which other agents' changes since ``since`` may have made out of date.
///
/// On the wire, the `result` of `status`, `list`, `snapshot` and `history` gains
/// `"stale":{"store":"postgres://ci@db:5432/graph","since_us":1764640000000000}` while the store is unreachable, and
/// nothing otherwise (an agent on the journal file never sends it). A new optional field: clients that do not know
/// it ignore it, so the protocol version stays the same.
public struct StaleRead: Sendable, Equatable {
    /// The store that cannot be reached, without any password (as `hello` reports it).
    public var store: String
    /// When the agent found it unreachable.
    public var since: Timestamp

    public init(store: String, since: Timestamp) {
        self.store = store
        self.since = since
    }

    /// `{"store":…,"since_us":…}`.
    public var json: JSON { .object([("store", .string(store)), ("since_us", .int(since.rawValue))]) }

    /// Decodes the `stale` field of a result; `nil` when it is absent or malformed (a mark is advice, never a
    /// reason to refuse the reply).
    public init?(result: JSON) {
        guard let mark = result["stale"], let store = mark["store"]?.stringValue,
            let since = mark["since_us"]?.int64Value
        else { return nil }
        self.init(store: store, since: Timestamp(microseconds: since))
    }

    /// The line `syncctl` writes on stderr after a stale read:
    /// `note: the shared store postgres://… is unreachable since 14:02:11 UTC; this may be out of date`.
    public var note: String {
        "note: the shared store \(store) is unreachable since \(since.timeOfDay) UTC; this may be out of date "
            + "(the agent answered from its last copy of the graph)"
    }

    /// `result` with the mark added last (`result` itself when it is not an object).
    public func marking(_ result: JSON) -> JSON {
        guard case .object(let pairs) = result else { return result }
        return .object(pairs + [("stale", json)])
    }
}
