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

extension FieldReader {
    /// A status word (`pending` … `skipped`).
    mutating func status(_ key: String) throws(FieldError) -> UnitStatus {
        let word = try string(key)
        guard let status = UnitStatus(rawValue: word) else { throw Self.statusError(key, word, orEmpty: false) }
        return status
    }

    /// A status word, or `""` for a unit nobody registered (`nil`).
    mutating func statusOrEmpty(_ key: String) throws(FieldError) -> UnitStatus? {
        let word = try string(key)
        if word.isEmpty { return nil }
        guard let status = UnitStatus(rawValue: word) else { throw Self.statusError(key, word, orEmpty: true) }
        return status
    }

    private static func statusError(_ key: String, _ word: String, orEmpty: Bool) -> FieldError {
        let words = UnitStatus.allCases.map(\.rawValue).joined(separator: ", ") + (orEmpty ? #" or """# : "")
        return FieldError("field \(goQuoted(key)) must be one of \(words), got \(goQuoted(word))")
    }

    /// A failure cause, or `nil` when the field is absent or `null`.
    mutating func optionalCause(_ key: String) throws(FieldError) -> FailureCause? {
        guard let value = optionalAny(key) else { return nil }
        guard let cause = FailureCause(json: value) else {
            throw FieldError("field \(goQuoted(key)) must be a failure cause with a \"root\", got \(value.compact)")
        }
        return cause
    }
}

extension DependencyInfo {
    public var json: JSON {
        .object([
            ("depends_on", .string(dependsOn)), ("required_status", .string(requiredStatus.rawValue)),
            ("current_status", .string(currentStatus.wireValue)), ("satisfied", .bool(isSatisfied)),
        ])
    }

    /// Decodes one dependency of `unit` from a `status` reply.
    init(decoding json: JSON, unit: String) throws(FieldError) {
        var fields = try FieldReader(object: json, "a dependency")
        self.init(
            unit: unit, dependsOn: try fields.string("depends_on"),
            requiredStatus: try fields.status("required_status"),
            currentStatus: try fields.statusOrEmpty("current_status"))
        _ = try fields.bool("satisfied")
    }
}

extension ReadinessReport {
    /// `"checks":[…],"attempts":N,"result":…`: the fields of a `readiness` request and event.
    public var jsonFields: [(String, JSON)] {
        [("checks", .strings(checks)), ("attempts", .int(Int64(attempts))), ("result", .optional(result))]
    }
}

extension UnitReadiness {
    /// `{"checks":[…],"attempts":N,"result":…,"started_us":…}`.
    public var json: JSON { .object(report.jsonFields + [("started_us", .int(startedAt.rawValue))]) }

    init(decoding json: JSON) throws(FieldError) {
        var fields = try FieldReader(object: json, "a readiness report")
        let report = try fields.readinessReport()
        self.init(report: report, startedAt: Timestamp(microseconds: try fields.int("started_us")))
    }
}

extension FieldReader {
    /// Most checks a readiness report may list; the agent keeps fewer (``UnitGraph/maxReadinessChecks``), but a
    /// list this long is a broken or hostile client, refused with a message that says so.
    static let maxReportedChecks = 1024

    /// `checks` (strings), `attempts` (≥ 0) and `result` (a string, `null` or absent).
    mutating func readinessReport() throws(FieldError) -> ReadinessReport {
        let checks = try stringArray("checks", nonEmpty: false)
        guard checks.count <= Self.maxReportedChecks else {
            throw FieldError(
                "field \"checks\" lists \(checks.count) checks; a readiness report lists at most "
                    + "\(Self.maxReportedChecks) (the ones not passed yet)")
        }
        return ReadinessReport(
            checks: checks, attempts: Int(try count("attempts")), result: try optionalString("result"))
    }
}

extension UnitInfo {
    /// `note`, `readiness` and `changed_by` are there only when the unit has them, so a graph without them is
    /// encoded as before they existed (as protocol version 1 has it).
    public var json: JSON {
        var pairs: [(String, JSON)] = [
            ("unit", .string(name)), ("status", .string(status.rawValue)), ("ready", .bool(isReady)),
            ("registered_us", .int(registeredAt.rawValue)), ("since_us", .int(since.rawValue)),
            ("reason", .optional(reason)), ("cause", cause?.json ?? .null), ("waiters", .int(Int64(waiters))),
            ("started_by", .optional(startedBy)),
        ]
        if let note { pairs.append(("note", .string(note))) }
        if let readiness { pairs.append(("readiness", readiness.json)) }
        if let changedBy { pairs.append(("changed_by", .string(changedBy))) }
        return .object(pairs)
    }

    /// Decodes a unit's info; `nil` when a field is missing or has the wrong type.
    public init?(json: JSON) {
        guard let info = try? Self(decoding: json) else { return nil }
        self = info
    }

    /// Decodes a unit's info. - Throws: what is missing or wrong.
    init(decoding json: JSON) throws(FieldError) {
        var fields = try FieldReader(object: json, "a unit")
        self.init(
            name: try fields.string("unit"), status: try fields.status("status"), isReady: try fields.bool("ready"),
            registeredAt: Timestamp(microseconds: try fields.int("registered_us")),
            since: Timestamp(microseconds: try fields.int("since_us")), reason: try fields.optionalString("reason"),
            cause: try fields.optionalCause("cause"), waiters: Int(try fields.count("waiters")),
            startedBy: try fields.optionalString("started_by"), note: try fields.optionalString("note"),
            readiness: try Self.readiness(&fields), changedBy: try fields.optionalString("changed_by"))
    }

    private static func readiness(_ fields: inout FieldReader) throws(FieldError) -> UnitReadiness? {
        do {
            return try fields.optionalAny("readiness").map { json throws(FieldError) in
                try UnitReadiness(decoding: json)
            }
        } catch {
            throw error.within("readiness")
        }
    }
}

extension StartInfo {
    public var json: JSON {
        .object([
            ("unit", .string(unit)), ("dependencies", .strings(dependencies)),
            ("unsatisfied_at_start", .strings(unsatisfiedAtStart)), ("waited", .bool(waited)),
        ])
    }

    /// Decodes a `start` reply. - Throws: what is missing or wrong.
    init(decoding json: JSON) throws(FieldError) {
        var fields = try FieldReader(object: json, "the result")
        self.init(
            unit: try fields.string("unit"), dependencies: try fields.stringArray("dependencies", nonEmpty: false),
            unsatisfiedAtStart: try fields.stringArray("unsatisfied_at_start", nonEmpty: false),
            waited: try fields.bool("waited"))
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

    /// Decodes a `status` reply. - Throws: what is missing or wrong.
    init(decoding json: JSON) throws(FieldError) {
        var fields = try FieldReader(object: json, "the result")
        let unit = try fields.string("unit")
        _ = try fields.statusOrEmpty("status")
        let info: UnitInfo?
        do {
            info = try fields.optionalAny("info").map { json throws(FieldError) in try UnitInfo(decoding: json) }
        } catch {
            throw error.within("info")
        }
        self.init(
            unit: unit, info: info, isReady: try fields.bool("ready"),
            dependencies: try fields.array("dependencies") { json throws(FieldError) in
                try DependencyInfo(decoding: json, unit: unit)
            },
            dependents: try fields.stringArray("dependents", nonEmpty: false))
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
    /// The path of the socket the agent serves, as the agent sees it (the one it bound, or the one socket
    /// activation handed it). `nil` from an agent from before the field.
    public var socket: String?
    /// The shared store the agent keeps its graph in (`postgres://…`, never with a password); `nil` for the journal
    /// file or an agent from before the field.
    public var store: String?
    /// The workspace of ``store`` whose graph the agent serves, with every agent naming the same store and
    /// workspace.
    public var workspace: String?

    public init(
        version: Int64, agentVersion: String, pid: Int64, maxFrameBytes: Int64, instance: String,
        socket: String? = nil, store: String? = nil, workspace: String? = nil
    ) {
        self.version = version
        self.agentVersion = agentVersion
        self.pid = pid
        self.maxFrameBytes = maxFrameBytes
        self.instance = instance
        self.socket = socket
        self.store = store
        self.workspace = workspace
    }

    public var json: JSON {
        var pairs: [(String, JSON)] = [
            ("version", .int(version)), ("agent", "sync-agent"), ("agent_version", .string(agentVersion)),
            ("pid", .int(pid)), ("max_frame_bytes", .int(maxFrameBytes)), ("instance", .string(instance)),
        ]
        if let socket { pairs.append(("socket", .string(socket))) }
        if let store { pairs.append(("store", .string(store))) }
        if let workspace { pairs.append(("workspace", .string(workspace))) }
        return .object(pairs)
    }

    /// Decodes a `hello` reply. - Throws: what is missing or wrong.
    init(decoding json: JSON) throws(FieldError) {
        var fields = try FieldReader(object: json, "the result")
        self.init(
            version: try fields.int("version"), agentVersion: try fields.string("agent_version"),
            pid: try fields.int("pid"), maxFrameBytes: try fields.int("max_frame_bytes"),
            instance: try fields.string("instance"), socket: try fields.optionalString("socket"),
            store: try fields.optionalString("store"), workspace: try fields.optionalString("workspace"))
    }
}
