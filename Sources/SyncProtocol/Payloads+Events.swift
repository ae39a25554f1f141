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
        }
        return .object(pairs)
    }

    /// `registered`, `dependency_added`, `status_changed`, `wait_began`, `wait_ended`.
    public var kindName: String {
        switch kind {
        case .registered: return "registered"
        case .dependencyAdded: return "dependency_added"
        case .statusChanged: return "status_changed"
        case .waitBegan: return "wait_began"
        case .waitEnded: return "wait_ended"
        }
    }

    /// Decodes an event; `nil` when a field is missing or unknown.
    public init?(json: JSON) {
        guard let sequence = json["seq"]?.int64Value, sequence > 0, let time = json["time_us"]?.int64Value,
            let unit = json["unit"]?.stringValue, let kindName = json["kind"]?.stringValue
        else { return nil }
        let kind: Kind
        switch kindName {
        case "registered":
            kind = .registered(unit: unit)
        case "dependency_added":
            guard let dependency = json["depends_on"]?.stringValue,
                let required = UnitStatus.fromWire(json["required"])
            else { return nil }
            kind = .dependencyAdded(unit: unit, dependsOn: dependency, required: required)
        case "status_changed":
            guard let to = UnitStatus.fromWire(json["to"]) else { return nil }
            kind = .statusChanged(
                unit: unit, from: UnitStatus.fromWire(json["from"]), to: to, reason: json["reason"]?.stringValue,
                cause: json["cause"].flatMap(FailureCause.init(json:)), by: json["by"]?.stringValue)
        case "wait_began":
            kind = .waitBegan(unit: unit, unsatisfied: json["unsatisfied"]?.stringList ?? [])
        case "wait_ended":
            guard let outcome = json["outcome"]?.stringValue.flatMap(WaitOutcome.init(rawValue:)) else { return nil }
            kind = .waitEnded(unit: unit, outcome: outcome)
        default:
            return nil
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
        guard let sequence = json["sequence"]?.int64Value, sequence >= 0, let units = json["units"]?.arrayValue
        else { return nil }
        let edges = (json["edges"]?.arrayValue ?? []).compactMap { edge -> DependencyEdge? in
            guard let unit = edge["unit"]?.stringValue, let dependency = edge["depends_on"]?.stringValue else {
                return nil
            }
            return DependencyEdge(
                unit: unit, dependsOn: dependency, required: UnitStatus.fromWire(edge["required"]) ?? .completed)
        }
        self.init(sequence: UInt64(sequence), units: units.compactMap(UnitInfo.init(json:)), edges: edges)
    }
}
