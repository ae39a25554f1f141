import SyncCore

/// A request from a client: one JSON object per line, `{"id":N,"type":"...", ...}`. See docs/PROTOCOL.md.
public struct Request: Sendable, Equatable {
    /// Chosen by the client, unique among its requests in flight; the reply and any pushes carry it.
    public var id: Int64
    public var body: Body

    public init(id: Int64, _ body: Body) {
        self.id = id
        self.body = body
    }

    /// What is asked.
    public enum Body: Sendable, Equatable {
        /// Must come first on a connection. `clientVersion` is the client's product version, for the agent's log
        /// (an agent from before it refuses the field as unknown: ``SyncConnection`` then says hello without it).
        case hello(version: Int64, client: String?, clientVersion: String? = nil)
        case ping
        /// Declare that `unit` depends on each of `dependsOn` completing, in order; stops at the first refusal.
        case want(unit: String, dependsOn: [String])
        /// Start `unit` when it is ready. With `wait` false an unready unit is refused (`not_ready`).
        /// `timeoutMs` nil or 0 waits without limit.
        /// `token` identifies the start so it can be retried after a reconnect
        /// (see ``UnitGraph/start(_:wait:token:)``).
        case start(unit: String, wait: Bool, timeoutMs: Int64?, token: String? = nil)
        case complete(unit: String)
        case fail(unit: String, reason: String?)
        /// Set the progress note of a registered unit; `""` clears it.
        case note(unit: String, text: String)
        /// Report what the started unit's service still waits for (protocol version 2).
        case readiness(unit: String, report: ReadinessReport)
        case status(unit: String)
        case list
        /// Wait until the units (or, with `all`, every unit registered at that moment) are completed.
        case wait(units: [String], all: Bool, timeoutMs: Int64?)
        /// Cancel the request `request` of this connection that is still in flight.
        case cancel(request: Int64)
        /// The whole graph at this moment: units, edges and the sequence number of the last change.
        case snapshot
        /// Stream the graph's changes: a `snapshot` push (unless `since` can be resumed from), then one `event` push
        /// per change, in order, until cancelled. `since` resumes after that sequence number when `instance` is the
        /// agent's and the agent still holds the events; otherwise a fresh snapshot comes first.
        case subscribe(since: Int64?, instance: String?)
        /// The current snapshot and every event the agent still holds in memory (the timeline's input).
        case history

        /// The `type` field.
        public var type: String {
            switch self {
            case .hello: return "hello"
            case .ping: return "ping"
            case .want: return "want"
            case .start: return "start"
            case .complete: return "complete"
            case .fail: return "fail"
            case .note: return "note"
            case .readiness: return "readiness"
            case .status: return "status"
            case .list: return "list"
            case .wait: return "wait"
            case .cancel: return "cancel"
            case .snapshot: return "snapshot"
            case .subscribe: return "subscribe"
            case .history: return "history"
            }
        }

        /// Every known `type`, as listed in errors.
        public static let knownTypes = [
            "hello", "ping", "want", "start", "complete", "fail", "note", "readiness", "status", "list", "wait",
            "cancel", "snapshot", "subscribe", "history",
        ]
    }
}

extension Request {
    /// The wire form (without the newline).
    public var json: JSON {
        var pairs: [(String, JSON)] = [("id", .int(id)), ("type", .string(body.type))]
        switch body {
        case .hello(let version, let client, let clientVersion):
            pairs.append(("version", .int(version)))
            if let client { pairs.append(("client", .string(client))) }
            if let clientVersion { pairs.append(("client_version", .string(clientVersion))) }
        case .ping, .list, .snapshot, .history:
            break
        case .want(let unit, let dependsOn):
            pairs += [("unit", .string(unit)), ("depends_on", .strings(dependsOn))]
        case .start(let unit, let wait, let timeoutMs, let token):
            pairs.append(("unit", .string(unit)))
            if !wait { pairs.append(("wait", false)) }
            if let timeoutMs { pairs.append(("timeout_ms", .int(timeoutMs))) }
            if let token { pairs.append(("token", .string(token))) }
        case .complete(let unit), .status(let unit):
            pairs.append(("unit", .string(unit)))
        case .fail(let unit, let reason):
            pairs.append(("unit", .string(unit)))
            if let reason { pairs.append(("reason", .string(reason))) }
        case .note(let unit, let text):
            pairs += [("unit", .string(unit)), ("text", .string(text))]
        case .readiness(let unit, let report):
            pairs.append(("unit", .string(unit)))
            pairs += report.jsonFields
        case .wait(let units, let all, let timeoutMs):
            pairs.append(all ? ("all", true) : ("units", .strings(units)))
            if let timeoutMs { pairs.append(("timeout_ms", .int(timeoutMs))) }
        case .cancel(let request):
            pairs.append(("request", .int(request)))
        case .subscribe(let since, let instance):
            if let since { pairs.append(("since", .int(since))) }
            if let instance { pairs.append(("instance", .string(instance))) }
        }
        return .object(pairs)
    }

    /// Decodes a request from a parsed frame.
    /// - Throws: ``WireError`` with `bad_request` or `unknown_type`; its `requestID` is set when the id was readable.
    public init(json: JSON) throws(WireError) {
        guard case .object = json else {
            throw WireError(.badRequest, "a request must be a JSON object, got \(json.typeName)")
        }
        var fields = FieldReader(json)
        do {
            id = try fields.requiredID()
        } catch {
            throw WireError(.badRequest, error.message)
        }
        do {
            body = try Self.decodeBody(&fields)
            try fields.finish()
        } catch {
            throw WireError(error.code, error.message, requestID: id)
        }
    }

    private static func decodeBody(_ f: inout FieldReader) throws(FieldError) -> Body {
        let type = try f.string("type")
        switch type {
        case "hello":
            return .hello(
                version: try f.int("version"), client: try f.optionalString("client"),
                clientVersion: try f.optionalString("client_version"))
        case "ping": return .ping
        case "want":
            return .want(unit: try f.string("unit"), dependsOn: try f.stringArray("depends_on", nonEmpty: true))
        case "start":
            return .start(
                unit: try f.string("unit"), wait: try f.optionalBool("wait") ?? true,
                timeoutMs: try f.optionalInt("timeout_ms", minimum: 0), token: try f.optionalString("token"))
        case "complete": return .complete(unit: try f.string("unit"))
        case "fail": return .fail(unit: try f.string("unit"), reason: try f.optionalString("reason"))
        case "note": return .note(unit: try f.string("unit"), text: try f.string("text"))
        case "readiness": return .readiness(unit: try f.string("unit"), report: try f.readinessReport())
        case "status": return .status(unit: try f.string("unit"))
        case "list": return .list
        case "wait":
            let all = try f.optionalBool("all") ?? false
            let units = all ? [] : try f.stringArray("units", nonEmpty: true)
            return .wait(units: units, all: all, timeoutMs: try f.optionalInt("timeout_ms", minimum: 0))
        case "cancel": return .cancel(request: try f.int("request"))
        case "snapshot": return .snapshot
        case "history": return .history
        case "subscribe":
            return .subscribe(since: try f.optionalInt("since", minimum: 0), instance: try f.optionalString("instance"))
        default:
            throw FieldError(
                .unknownType,
                "unknown request type \(goQuoted(type)); known types: \(Body.knownTypes.joined(separator: ", "))")
        }
    }
}
