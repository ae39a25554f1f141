import SyncCore

// The JSON forms of the core's values, shared by the agent (encode) and the clients (decode).
// Field names are snake_case; times are microseconds since the epoch (`*_us`).

extension FailureCause {
    /// Errors: `{"root":"git","reason":"exit 128","chain":["git","repo","claude"]}`; the compact form of events,
    /// `list` and `status`: `{"root":"git","reason":"exit 128","via":"repo"}` (`via` is `null` for a unit skipped by
    /// itself).
    public var json: JSON {
        if !chain.isEmpty {
            return .object([("root", .string(root)), ("reason", .optional(reason)), ("chain", .strings(chain))])
        }
        return .object([("root", .string(root)), ("reason", .optional(reason)), ("via", .optional(via))])
    }

    /// Decodes either form, and the form journals written before `via` existed (a whole `chain`, from which `via`
    /// is taken).
    public init?(json: JSON) {
        guard let root = json["root"]?.stringValue else { return nil }
        let reason = json["reason"]?.stringValue
        if let chain = json["chain"]?.arrayValue?.compactMap(\.stringValue), !chain.isEmpty {
            self.init(root: root, reason: reason, chain: chain)
        } else if let via = json["via"] {
            self.init(root: root, reason: reason, via: via.stringValue)
        } else {
            self.init(root: root, reason: reason, chain: [root])
        }
    }
}

extension UnitStatus {
    /// Decodes a wire status: `""` is `nil` (not registered); an unknown word is `nil` as well.
    public static func fromWire(_ json: JSON?) -> UnitStatus? {
        json?.stringValue.flatMap(UnitStatus.init(rawValue:))
    }
}

extension DependencyInfo {
    public var json: JSON {
        .object([
            ("depends_on", .string(dependsOn)), ("required_status", .string(requiredStatus.rawValue)),
            ("current_status", .string(currentStatus.wireValue)), ("satisfied", .bool(isSatisfied)),
        ])
    }

    public init(json: JSON, unit: String) {
        self.init(
            unit: unit, dependsOn: json["depends_on"]?.stringValue ?? "",
            requiredStatus: UnitStatus.fromWire(json["required_status"]) ?? .completed,
            currentStatus: UnitStatus.fromWire(json["current_status"]))
    }
}

extension UnitInfo {
    public var json: JSON {
        .object([
            ("unit", .string(name)), ("status", .string(status.rawValue)), ("ready", .bool(isReady)),
            ("registered_us", .int(registeredAt.rawValue)), ("since_us", .int(since.rawValue)),
            ("reason", .optional(reason)), ("cause", cause?.json ?? .null), ("waiters", .int(Int64(waiters))),
            ("started_by", .optional(startedBy)),
        ])
    }

    public init?(json: JSON) {
        guard let name = json["unit"]?.stringValue, let status = UnitStatus.fromWire(json["status"]) else {
            return nil
        }
        self.init(
            name: name, status: status, isReady: json["ready"]?.boolValue ?? false,
            registeredAt: Timestamp(microseconds: json["registered_us"]?.int64Value ?? 0),
            since: Timestamp(microseconds: json["since_us"]?.int64Value ?? 0),
            reason: json["reason"]?.stringValue, cause: json["cause"].flatMap(FailureCause.init(json:)),
            waiters: Int(json["waiters"]?.int64Value ?? 0), startedBy: json["started_by"]?.stringValue)
    }
}

extension StartInfo {
    public var json: JSON {
        .object([
            ("unit", .string(unit)), ("dependencies", .strings(dependencies)),
            ("unsatisfied_at_start", .strings(unsatisfiedAtStart)), ("waited", .bool(waited)),
        ])
    }

    public init(json: JSON) {
        self.init(
            unit: json["unit"]?.stringValue ?? "", dependencies: json["dependencies"]?.stringList ?? [],
            unsatisfiedAtStart: json["unsatisfied_at_start"]?.stringList ?? [],
            waited: json["waited"]?.boolValue ?? false)
    }
}

/// The `status` reply: coder's `SyncStatusResponse` plus what we know beyond it.
public struct UnitStatusReport: Sendable, Equatable {
    /// The unit asked about (as given).
    public var unit: String
    /// The unit, when registered.
    public var info: UnitInfo?
    /// Ready (true for an unregistered unit, as coder).
    public var isReady: Bool
    public var dependencies: [DependencyInfo]
    /// Units that depend on this one, sorted.
    public var dependents: [String]

    public init(unit: String, info: UnitInfo?, isReady: Bool, dependencies: [DependencyInfo], dependents: [String]) {
        self.unit = unit
        self.info = info
        self.isReady = isReady
        self.dependencies = dependencies
        self.dependents = dependents
    }

    public var json: JSON {
        .object([
            ("unit", .string(unit)), ("status", .string(info?.status.rawValue ?? "")), ("ready", .bool(isReady)),
            ("dependencies", .array(dependencies.map(\.json))), ("dependents", .strings(dependents)),
            ("info", info?.json ?? .null),
        ])
    }

    public init(json: JSON) {
        let unit = json["unit"]?.stringValue ?? ""
        self.init(
            unit: unit, info: json["info"].flatMap(UnitInfo.init(json:)), isReady: json["ready"]?.boolValue ?? true,
            dependencies: json["dependencies"]?.arrayValue?.map { DependencyInfo(json: $0, unit: unit) } ?? [],
            dependents: json["dependents"]?.stringList ?? [])
    }
}

/// The `hello` reply.
public struct HelloInfo: Sendable, Equatable {
    public var version: Int64
    public var agentVersion: String
    public var pid: Int64
    public var maxFrameBytes: Int64
    /// Names the agent's history: the same across restarts that kept the journal, new otherwise. A subscriber
    /// resumes with `since` only within one instance.
    public var instance: String

    public init(version: Int64, agentVersion: String, pid: Int64, maxFrameBytes: Int64, instance: String) {
        self.version = version
        self.agentVersion = agentVersion
        self.pid = pid
        self.maxFrameBytes = maxFrameBytes
        self.instance = instance
    }

    public var json: JSON {
        .object([
            ("version", .int(version)), ("agent", "sync-agent"), ("agent_version", .string(agentVersion)),
            ("pid", .int(pid)), ("max_frame_bytes", .int(maxFrameBytes)), ("instance", .string(instance)),
        ])
    }

    public init(json: JSON) {
        self.init(
            version: json["version"]?.int64Value ?? 0, agentVersion: json["agent_version"]?.stringValue ?? "",
            pid: json["pid"]?.int64Value ?? 0, maxFrameBytes: json["max_frame_bytes"]?.int64Value ?? 0,
            instance: json["instance"]?.stringValue ?? "")
    }
}

extension JSON {
    /// The strings of an array, skipping anything else.
    public var stringList: [String]? { arrayValue?.compactMap(\.stringValue) }
}
