import SyncCore

/// A frame the agent sends about a request before its final reply: `{"id":N,"push":"<kind>", …fields}`.
/// The agent encodes it (``ServerMessage/push(_:_:)``); a client decodes it knowing which request it belongs to
/// (``init(kind:fields:answering:)``). See docs/PROTOCOL.md.
public enum Push: Sendable, Equatable {
    /// `waiting` for a `start`: the unit is not ready; the request is parked.
    case startWaiting(StartWaiting)
    /// `waiting` for a `wait`: the units not completed yet.
    case waitWaiting(remaining: [String])
    /// `snapshot` for a `subscribe`: the whole graph, and the agent history it belongs to.
    case snapshot(instance: String, GraphSnapshot)
    /// `event` for a `subscribe`: one change, in order. From protocol version 3, an agent on a shared store adds
    /// `origin`, the agent that made the change (`sync-agent pid 4242 on host-b`), beside `event`.
    case event(SyncEvent, origin: String? = nil)
    /// `event` for a `subscribe` of a kind this client does not know (a newer agent's): skipped, never an error.
    case unknownEvent(sequence: UInt64, kind: String)
    /// `store` for a `subscribe` (protocol version 3): the agent's shared store became unreachable, or reachable
    /// again.
    case store(StoreReachability)

    /// The `push` field.
    public var kind: String {
        switch self {
        case .startWaiting, .waitWaiting: return "waiting"
        case .snapshot: return "snapshot"
        case .event, .unknownEvent: return "event"
        case .store: return "store"
        }
    }

    /// The fields after `id` and `push`, in wire order.
    public var fields: [(String, JSON)] {
        switch self {
        case .startWaiting(let waiting):
            return [
                ("unit", .string(waiting.unit)), ("dependencies", .strings(waiting.dependencies)),
                ("unsatisfied", .strings(waiting.unsatisfied)),
            ]
        case .waitWaiting(let remaining):
            return [("remaining", .strings(remaining))]
        case .snapshot(let instance, let snapshot):
            return [("instance", .string(instance)), ("snapshot", snapshot.json)]
        case .event(let event, let origin):
            return [("event", event.json)] + (origin.map { [("origin", .string($0))] } ?? [])
        case .unknownEvent(let sequence, let kind):
            return [("event", .object([("seq", .int(Int64(sequence))), ("kind", .string(kind))]))]
        case .store(let reachability):
            return reachability.fields
        }
    }

    /// Decodes a push of `kind` for `request`.
    /// - Throws: ``WireError`` `bad_reply` when a field is missing or wrong, or when `request` has no push of
    ///   that kind.
    public init(kind: String, fields: [(String, JSON)], answering request: Request.Body) throws(WireError) {
        do {
            self = try Self.decode(kind, JSON.object(fields), request)
        } catch {
            throw WireError(.badReply, error.message)
        }
    }

    private static func decode(_ kind: String, _ json: JSON, _ request: Request.Body) throws(FieldError) -> Push {
        var fields = try FieldReader(object: json, "a push")
        switch (request, kind) {
        case (.start, "waiting"):
            return .startWaiting(
                StartWaiting(
                    unit: try fields.string("unit"),
                    dependencies: try fields.stringArray("dependencies", nonEmpty: false),
                    unsatisfied: try fields.stringArray("unsatisfied", nonEmpty: false)))
        case (.wait, "waiting"):
            return .waitWaiting(remaining: try fields.stringArray("remaining", nonEmpty: false))
        case (.subscribe, "snapshot"):
            let instance = try fields.string("instance")
            do {
                return .snapshot(instance: instance, try GraphSnapshot(decoding: try fields.any("snapshot")))
            } catch {
                throw error.within("snapshot")
            }
        case (.subscribe, "event"):
            do {
                let json = try fields.any("event")
                if let event = try SyncEvent.decodingIfKnown(json) {
                    return .event(event, origin: try fields.optionalString("origin"))
                }
                var event = try FieldReader(object: json, "an event")
                return .unknownEvent(sequence: UInt64(try event.count("seq")), kind: try event.string("kind"))
            } catch {
                throw error.within("event")
            }
        case (.subscribe, "store"):
            return .store(try StoreReachability(&fields))
        default:
            throw FieldError("a \(request.type) request has no push \(goQuoted(kind))")
        }
    }

    /// The frame of an `event` push around an event already encoded (the agent encodes each event once, for every
    /// subscriber): the same bytes as `ServerMessage.push(id, .event(event)).frame`.
    public static func eventFrame(id: Int64, event: String) -> String {
        #"{"id":\#(id),"push":"event","event":\#(event)}"# + "\n"
    }

    /// The same with the event's `origin` (protocol version 3, a shared store): the bytes of
    /// `ServerMessage.push(id, .event(event, origin: origin)).frame`. - Parameter origin: JSON, a string already
    /// encoded.
    public static func eventFrame(id: Int64, event: String, encodedOrigin origin: String) -> String {
        #"{"id":\#(id),"push":"event","event":\#(event),"origin":\#(origin)}"# + "\n"
    }
}
