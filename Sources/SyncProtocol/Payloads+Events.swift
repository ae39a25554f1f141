import SyncCore

// The JSON forms of events and snapshots: the subscription stream, `syncctl watch -o json` and the journal use them.

extension SyncEvent {
    /// `{"seq":3,"time_us":…,"kind":"status_changed","unit":"git","from":"pending","to":"started",…}`.
    public var json: JSON {
        var pairs: [(String, JSON)] = [
            ("seq", .int(Int64(sequence))), ("time_us", .int(time.rawValue)), ("kind", .string(kindName)),
            ("unit", .string(unit)),
        ]
        switch kind {
        case .registered:
            break
        case .dependencyAdded(_, let dependency, let required):
            pairs += [("depends_on", .string(dependency)), ("required", .string(required.rawValue))]
        case .statusChanged(_, let from, let to, let reason, let cause, let token):
            pairs += [
                ("from", .string(from.wireValue)), ("to", .string(to.rawValue)), ("reason", .optional(reason)),
                ("cause", cause?.json ?? .null),
            ]
            if let token { pairs.append(("by", .string(token))) }
        case .waitBegan(_, let unsatisfied):
            pairs.append(("unsatisfied", .strings(unsatisfied)))
        case .waitEnded(_, let outcome):
            pairs.append(("outcome", .string(outcome.rawValue)))
        case .noted(_, let note):
            pairs.append(("note", .optional(note)))
        case .readiness(_, let report):
            pairs += report.jsonFields
        }
        return .object(pairs)
    }

    /// `registered`, `dependency_added`, `status_changed`, `wait_began`, `wait_ended`, `noted`, `readiness`.
    public var kindName: String {
        switch kind {
        case .registered: return "registered"
        case .dependencyAdded: return "dependency_added"
        case .statusChanged: return "status_changed"
        case .waitBegan: return "wait_began"
        case .waitEnded: return "wait_ended"
        case .noted: return "noted"
        case .readiness: return "readiness"
        }
    }

    /// Every kind this build knows, in the order they were added.
    public static let knownKindNames = [
        "registered", "dependency_added", "status_changed", "wait_began", "wait_ended", "noted", "readiness",
    ]

    /// Decodes an event a client was sent, or returns `nil` for a kind this build does not know (a newer agent's):
    /// clients skip those, so an agent may add kinds without breaking them. A known kind is decoded as strictly as
    /// ever.
    /// - Throws: what is missing or wrong in an event of a known kind, or without a string `kind`.
    static func decodingIfKnown(_ json: JSON) throws(FieldError) -> SyncEvent? {
        if let kind = json["kind"]?.stringValue, !knownKindNames.contains(kind) { return nil }
        return try SyncEvent(decoding: json)
    }

    /// Decodes an event; `nil` when a field is missing or unknown.
    public init?(json: JSON) {
        guard let event = try? Self(decoding: json) else { return nil }
        self = event
    }

    /// Decodes an event. - Throws: what is missing, unknown or wrong.
    init(decoding json: JSON) throws(FieldError) {
        var fields = try FieldReader(object: json, "an event")
        let sequence = try fields.count("seq")
        guard sequence > 0 else { throw FieldError("field \"seq\" must be an integer of at least 1, got 0") }
        let time = try fields.int("time_us")
        let unit = try fields.string("unit")
        let kindName = try fields.string("kind")
        let kind: Kind
        switch kindName {
        case "registered":
            kind = .registered(unit: unit)
        case "dependency_added":
            kind = .dependencyAdded(
                unit: unit, dependsOn: try fields.string("depends_on"), required: try fields.status("required"))
        case "status_changed":
            kind = .statusChanged(
                unit: unit, from: try fields.statusOrEmpty("from"), to: try fields.status("to"),
                reason: try fields.optionalString("reason"), cause: try fields.optionalCause("cause"),
                by: try fields.optionalString("by"))
        case "wait_began":
            kind = .waitBegan(unit: unit, unsatisfied: try fields.stringArray("unsatisfied", nonEmpty: false))
        case "wait_ended":
            let word = try fields.string("outcome")
            guard let outcome = WaitOutcome(rawValue: word) else {
                let outcomes = WaitOutcome.allCases.map(\.rawValue).joined(separator: ", ")
                throw FieldError("field \"outcome\" must be one of \(outcomes), got \(goQuoted(word))")
            }
            kind = .waitEnded(unit: unit, outcome: outcome)
        case "noted":
            kind = .noted(unit: unit, note: try fields.optionalString("note"))
        case "readiness":
            kind = .readiness(unit: unit, try fields.readinessReport())
        default:
            throw FieldError(
                "unknown event kind \(goQuoted(kindName)); known kinds: "
                    + Self.knownKindNames.joined(separator: ", "))
        }
        self.init(sequence: UInt64(sequence), time: Timestamp(microseconds: time), kind: kind)
    }
}

extension GraphSnapshot {
    /// `{"sequence":N,"units":[…],"edges":[{"unit":…,"depends_on":…,"required":…}]}`.
    public var json: JSON {
        .object([
            ("sequence", .int(Int64(sequence))), ("units", .array(units.map(\.json))),
            (
                "edges",
                .array(
                    edges.map {
                        .object([
                            ("unit", .string($0.unit)), ("depends_on", .string($0.dependsOn)),
                            ("required", .string($0.required.rawValue)),
                        ])
                    })
            ),
        ])
    }

    /// Decodes a snapshot; `nil` when it is not one.
    public init?(json: JSON) {
        guard let snapshot = try? Self(decoding: json) else { return nil }
        self = snapshot
    }

    /// Decodes a snapshot. - Throws: what is missing or wrong, naming the unit or edge (`units[2]: …`).
    init(decoding json: JSON) throws(FieldError) {
        var fields = try FieldReader(object: json, "a snapshot")
        let sequence = try fields.count("sequence")
        let units = try fields.array("units") { json throws(FieldError) in try UnitInfo(decoding: json) }
        let edges = try fields.array("edges") { json throws(FieldError) -> DependencyEdge in
            var edge = try FieldReader(object: json, "an edge")
            return DependencyEdge(
                unit: try edge.string("unit"), dependsOn: try edge.string("depends_on"),
                required: try edge.status("required"))
        }
        self.init(sequence: UInt64(sequence), units: units, edges: edges)
    }
}
