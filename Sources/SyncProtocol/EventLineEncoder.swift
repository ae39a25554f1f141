import SyncCore

/// Encodes an event as the compact JSON of ``SyncEvent/json`` straight into bytes, without building the `JSON`
/// value first: the agent encodes every event it records once, for its journal, its history and its subscribers,
/// and a `complete` that releases 10,000 waiters records 20,000 of them in one step. The counterpart of
/// ``EventLineDecoder``.
///
/// The contract: ``encode(_:)`` returns exactly `event.json.compact` for every event. The kinds a release and a
/// graph's building record (`registered`, `dependency_added`, `status_changed` without a cause, `wait_ended`,
/// `noted`) are written here; the others go through the `JSON` value.
package enum EventLineEncoder {
    /// The event's compact JSON line (without a newline).
    package static func encode(_ event: SyncEvent) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        switch event.kind {
        case .registered(let unit):
            head(event, "registered", unit, &out)
        case .dependencyAdded(let unit, let dependency, let required):
            head(event, "dependency_added", unit, &out)
            field("depends_on", dependency, &out)
            field("required", required.rawValue, &out)
        case .statusChanged(let unit, let from, let to, let reason, nil, let token):
            head(event, "status_changed", unit, &out)
            field("from", from.wireValue, &out)
            field("to", to.rawValue, &out)
            field("reason", reason, &out)
            out.appendLiteral(",\"cause\":null")
            if let token { field("by", token, &out) }
        case .waitEnded(let unit, let outcome):
            head(event, "wait_ended", unit, &out)
            field("outcome", outcome.rawValue, &out)
        case .noted(let unit, let note):
            head(event, "noted", unit, &out)
            field("note", note, &out)
        case .statusChanged, .waitBegan, .readiness:
            return event.json.compact
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `{"seq":…,"time_us":…,"kind":"…","unit":"…"`.
    private static func head(_ event: SyncEvent, _ kind: StaticString, _ unit: String, _ out: inout [UInt8]) {
        out.appendLiteral("{\"seq\":")
        out.appendDecimal(Int64(event.sequence))
        out.appendLiteral(",\"time_us\":")
        out.appendDecimal(event.time.rawValue)
        out.appendLiteral(",\"kind\":\"")
        out.appendLiteral(kind)
        out.appendLiteral("\",\"unit\":")
        JSON.writeString(unit, to: &out)
    }

    /// `,"name":"value"`, or `,"name":null` for `nil`.
    private static func field(_ name: StaticString, _ value: String?, _ out: inout [UInt8]) {
        out.appendLiteral(",\"")
        out.appendLiteral(name)
        out.appendLiteral("\":")
        if let value { JSON.writeString(value, to: &out) } else { out.appendLiteral("null") }
    }
}
