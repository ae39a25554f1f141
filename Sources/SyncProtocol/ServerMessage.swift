import SyncCore

/// A frame from the agent: the one final reply to a request, or a push sent before it (a `start` that is waiting,
/// an event of a subscription). See docs/PROTOCOL.md.
public enum ServerMessage: Sendable, Equatable {
    /// `{"id":N,"ok":true,"result":{...}}` or `{"id":N,"ok":false,"error":{...}}`. `id` is `null` only for a frame
    /// whose id could not be read.
    case reply(id: Int64?, Result<JSON, WireError>)
    /// `{"id":N,"push":"waiting", ...fields}`: more is coming for request `id`.
    case push(id: Int64, kind: String, fields: [(String, JSON)])

    public static func == (lhs: ServerMessage, rhs: ServerMessage) -> Bool { lhs.json == rhs.json }

    /// A successful reply to request `id`.
    public static func ok(_ id: Int64, _ reply: Reply) -> ServerMessage { .reply(id: id, .success(reply.json)) }

    /// A successful reply to a read, marked ``StaleRead`` when `stale` is not `nil` (and exactly ``ok(_:_:)``
    /// otherwise).
    public static func ok(_ id: Int64, _ reply: Reply, stale: StaleRead?) -> ServerMessage {
        .reply(id: id, .success(stale.map { $0.marking(reply.json) } ?? reply.json))
    }

    /// A push about request `id`.
    public static func push(_ id: Int64, _ push: Push) -> ServerMessage {
        .push(id: id, kind: push.kind, fields: push.fields)
    }

    /// A successful reply with any result; the agent uses ``ok(_:_:)`` with a ``Reply``.
    static func ok(_ id: Int64, _ result: JSON = .object([])) -> ServerMessage { .reply(id: id, .success(result)) }

    /// An error reply.
    public static func error(_ id: Int64?, _ error: WireError) -> ServerMessage { .reply(id: id, .failure(error)) }

    /// The request this frame belongs to.
    public var id: Int64? {
        switch self {
        case .reply(let id, _): return id
        case .push(let id, _, _): return id
        }
    }

    public var json: JSON {
        switch self {
        case .reply(let id, .success(let result)):
            return .object([("id", id.map(JSON.int) ?? .null), ("ok", true), ("result", result)])
        case .reply(let id, .failure(let error)):
            return .object([("id", id.map(JSON.int) ?? .null), ("ok", false), ("error", error.json)])
        case .push(let id, let kind, let fields):
            return .object([("id", .int(id)), ("push", .string(kind))] + fields)
        }
    }

    /// The wire form: compact JSON and a newline.
    public var frame: String { json.compactLine }

    /// Decodes a frame received from the agent.
    /// - Throws: ``WireError`` `bad_frame` when it is not a reply or a push.
    public init(json: JSON) throws(WireError) {
        let id = json["id"]?.int64Value
        if let kind = json["push"]?.stringValue, let id, case .object(let pairs) = json {
            self = .push(id: id, kind: kind, fields: pairs.filter { $0.0 != "id" && $0.0 != "push" })
        } else if json["ok"] == .bool(true) {
            self = .reply(id: id, .success(json["result"] ?? .object([])))
        } else if json["ok"] == .bool(false), let error = json["error"] {
            do {
                self = .reply(id: id, .failure(try WireError(json: error, requestID: id)))
            } catch {
                self = .reply(id: id, .failure(error))
            }
        } else {
            throw WireError(.badFrame, "the agent sent a frame that is neither a reply nor a push: \(json.compact)")
        }
    }
}
