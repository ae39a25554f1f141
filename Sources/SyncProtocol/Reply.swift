import SyncCore

/// The result of a successful reply, one case per request that has one: what the agent encodes after
/// `{"id":N,"ok":true,"result":` and what a client decodes from it. See docs/PROTOCOL.md.
///
/// A client decodes a result knowing which request it answers (``init(json:answering:)``): a result that lacks a
/// field, or has one of the wrong type, is a `bad_reply` error, never a default. Fields the client does not know
/// are ignored, so an agent may add some.
public enum Reply: Sendable, Equatable {
    case hello(HelloInfo)
    /// `{}`.
    case ping
    /// `{"unit":…,"declared":[…]}`.
    case want(unit: String, declared: [String])
    case start(StartInfo)
    /// `{}`.
    case complete
    /// `{"skipped":[…]}`: the units the failure made skipped, sorted.
    case fail(skipped: [String])
    /// `{"note":…}`: the note kept (one line, cut to its limit), `null` when it was cleared.
    case note(kept: String?)
    /// `{}`: the readiness report was kept (or was the unit's latest already).
    case readiness
    case status(UnitStatusReport)
    /// `{"units":[…]}`, sorted by name.
    case list([UnitInfo])
    /// `{"units":[…]}`: the units waited for.
    case wait(units: [String])
    /// `{}`.
    case cancel
    case snapshot(GraphSnapshot)
    /// `{"instance":…,"snapshot":{…},"events":[…]}`.
    case history(instance: String, snapshot: GraphSnapshot, events: [SyncEvent])

    /// The `result` object.
    public var json: JSON {
        switch self {
        case .hello(let info): return info.json
        case .ping, .complete, .cancel: return .object([])
        case .want(let unit, let declared): return .object([("unit", .string(unit)), ("declared", .strings(declared))])
        case .start(let info): return info.json
        case .fail(let skipped): return .object([("skipped", .strings(skipped))])
        case .note(let kept): return .object([("note", .optional(kept))])
        case .readiness: return .object([])
        case .status(let report): return report.json
        case .list(let units): return .object([("units", .array(units.map(\.json)))])
        case .wait(let units): return .object([("units", .strings(units))])
        case .snapshot(let snapshot): return snapshot.json
        case .history(let instance, let snapshot, let events):
            return .object([
                ("instance", .string(instance)), ("snapshot", snapshot.json), ("events", .array(events.map(\.json))),
            ])
        }
    }

    /// Decodes the `result` of a successful reply to `request`.
    /// - Throws: ``WireError`` `bad_reply` saying what is missing or wrong (`units[2]: missing field "ready"`);
    ///   also for a success reply to `subscribe`, which only ever ends with an error.
    public init(json: JSON, answering request: Request.Body) throws(WireError) {
        do {
            self = try Self.decode(json, request)
        } catch {
            throw WireError(.badReply, error.message)
        }
    }

    private static func decode(_ json: JSON, _ request: Request.Body) throws(FieldError) -> Reply {
        var fields = try FieldReader(object: json, "the result")
        switch request {
        case .hello: return .hello(try HelloInfo(decoding: json))
        case .ping: return .ping
        case .want:
            return .want(unit: try fields.string("unit"), declared: try fields.stringArray("declared", nonEmpty: false))
        case .start: return .start(try StartInfo(decoding: json))
        case .complete: return .complete
        case .fail: return .fail(skipped: try fields.stringArray("skipped", nonEmpty: false))
        case .note: return .note(kept: try fields.optionalString("note"))
        case .readiness: return .readiness
        case .status: return .status(try UnitStatusReport(decoding: json))
        case .list: return .list(try fields.array("units") { json throws(FieldError) in try UnitInfo(decoding: json) })
        case .wait: return .wait(units: try fields.stringArray("units", nonEmpty: false))
        case .cancel: return .cancel
        case .snapshot: return .snapshot(try GraphSnapshot(decoding: json))
        case .history:
            let instance = try fields.string("instance")
            let snapshot: GraphSnapshot
            do {
                snapshot = try GraphSnapshot(decoding: try fields.any("snapshot"))
            } catch {
                throw error.within("snapshot")
            }
            // Events of kinds this client does not know (a newer agent's) are left out, as the stream skips them.
            let events = try fields.array("events") { json throws(FieldError) in try SyncEvent.decodingIfKnown(json) }
            return .history(instance: instance, snapshot: snapshot, events: events.compactMap { $0 })
        case .subscribe:
            throw FieldError("a subscription ends only with an error, but the agent replied with success")
        }
    }

    /// The frame of a `history` reply around events already encoded (the agent keeps its recent events as JSON
    /// text, and does not encode them again): the same bytes as `ServerMessage.ok(id, .history(…)).frame`.
    /// With `stale`, the result ends with its mark, as ``ServerMessage/ok(_:_:stale:)`` adds it.
    public static func historyFrame(
        id: Int64, instance: String, snapshot: GraphSnapshot, events: [String], stale: StaleRead? = nil
    ) -> String {
        let mark = stale.map { #","stale":"# + $0.json.compact } ?? ""
        let result =
            #"{"instance":\#(JSON.string(instance).compact),"snapshot":\#(snapshot.json.compact),"#
            + #""events":[\#(events.joined(separator: ","))]\#(mark)}"#
        return #"{"id":\#(id),"ok":true,"result":\#(result)}"# + "\n"
    }
}
