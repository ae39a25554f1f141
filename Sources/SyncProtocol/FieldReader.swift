import SyncCore

/// A field of a frame is missing, has the wrong type, or is not expected.
struct FieldError: Error {
    var code: ErrorCode
    var message: String
    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    init(_ message: String) {
        self.init(.badRequest, message)
    }

    /// The same problem, found inside `path` (`units[2]`) of the object being read.
    func within(_ path: String) -> FieldError {
        FieldError(code, "\(path): \(message)")
    }
}

/// Reads the fields of a JSON object one by one and, at the end, refuses any it did not read, so a misspelt
/// field (`"unti"`) is an error rather than silently ignored.
struct FieldReader {
    private let pairs: [(String, JSON)]
    /// The fields read so far; `nil` when fields nobody reads are allowed (replies), which saves the bookkeeping.
    private var used: Set<String>? = []

    init(_ json: JSON) {
        if case .object(let pairs) = json { self.pairs = pairs } else { self.pairs = [] }
    }

    /// A reader of `json`, which must be an object (`what` names it in the error), that ignores fields it is not
    /// asked for: an agent may add fields to its replies.
    init(object json: JSON, _ what: String) throws(FieldError) {
        guard case .object = json else { throw FieldError("\(what) must be an object, got \(json.typeName)") }
        self.init(json)
        used = nil
    }

    private mutating func value(_ key: String) -> JSON? {
        used?.insert(key)
        guard let value = pairs.first(where: { $0.0 == key })?.1, value != .null else { return nil }
        return value
    }

    private func typeError(_ key: String, _ expected: String, _ got: JSON) -> FieldError {
        FieldError("field \(goQuoted(key)) must be \(expected), got \(got.typeName)")
    }

    /// For a whole number too large for 64 bits (`9223372036854775808`, `1e30`): says so, rather than that it is
    /// not an integer.
    private func rangeError(_ key: String, _ value: JSON, minimum: Int64) -> FieldError? {
        guard case .double(let number) = value, number.rounded() == number, number.isFinite else { return nil }
        return FieldError(
            "field \(goQuoted(key)) is out of range: it must be an integer from \(minimum) to \(Int64.max)")
    }

    mutating func requiredID() throws(FieldError) -> Int64 {
        guard let value = value("id") else { throw FieldError("missing field \"id\" (a non-negative integer)") }
        guard let id = value.int64Value, id >= 0 else {
            throw rangeError("id", value, minimum: 0) ?? typeError("id", "a non-negative integer", value)
        }
        return id
    }

    mutating func string(_ key: String) throws(FieldError) -> String {
        try required(key, optionalString(key))
    }

    mutating func optionalString(_ key: String) throws(FieldError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw typeError(key, "a string", value) }
        return text
    }

    mutating func int(_ key: String) throws(FieldError) -> Int64 {
        guard let value = value(key) else { throw FieldError("missing field \(goQuoted(key))") }
        guard let number = value.int64Value else {
            throw rangeError(key, value, minimum: .min) ?? typeError(key, "an integer", value)
        }
        return number
    }

    /// A required integer of at least 0.
    mutating func count(_ key: String) throws(FieldError) -> Int64 {
        let number = try int(key)
        guard number >= 0 else {
            throw FieldError("field \(goQuoted(key)) must be an integer of at least 0, got \(number)")
        }
        return number
    }

    mutating func optionalInt(_ key: String, minimum: Int64) throws(FieldError) -> Int64? {
        guard let value = value(key) else { return nil }
        guard let number = value.int64Value, number >= minimum else {
            throw rangeError(key, value, minimum: minimum) ?? typeError(key, "an integer of at least \(minimum)", value)
        }
        return number
    }

    mutating func optionalBool(_ key: String) throws(FieldError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw typeError(key, "a boolean", value) }
        return flag
    }

    mutating func bool(_ key: String) throws(FieldError) -> Bool {
        try required(key, optionalBool(key))
    }

    /// `value`, or the error for a missing field `key`.
    private func required<Value>(_ key: String, _ value: Value?) throws(FieldError) -> Value {
        guard let value else { throw FieldError("missing field \(goQuoted(key))") }
        return value
    }

    /// A required field of any type but `null`.
    mutating func any(_ key: String) throws(FieldError) -> JSON {
        guard let value = value(key) else { throw FieldError("missing field \(goQuoted(key))") }
        return value
    }

    /// A field that may be absent or `null`, of any type.
    mutating func optionalAny(_ key: String) -> JSON? { value(key) }

    /// A required array, each of whose items is decoded by `decode`; a problem names the item (`units[2]: …`).
    mutating func array<T>(_ key: String, _ decode: (JSON) throws(FieldError) -> T) throws(FieldError) -> [T] {
        guard let value = value(key) else { throw FieldError("missing field \(goQuoted(key))") }
        guard let items = value.arrayValue else { throw typeError(key, "an array", value) }
        var decoded: [T] = []
        decoded.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do {
                decoded.append(try decode(item))
            } catch {
                throw error.within("\(key)[\(index)]")
            }
        }
        return decoded
    }

    mutating func stringArray(_ key: String, nonEmpty: Bool) throws(FieldError) -> [String] {
        guard let value = value(key) else { throw FieldError("missing field \(goQuoted(key))") }
        guard let items = value.arrayValue else { throw typeError(key, "an array of strings", value) }
        var strings: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw typeError(key, "an array of strings", item) }
            strings.append(text)
        }
        if nonEmpty && strings.isEmpty { throw FieldError("field \(goQuoted(key)) must not be empty") }
        return strings
    }

    /// Throws when the object has a field that was never read.
    func finish() throws(FieldError) {
        guard let used else { return }
        if let extra = pairs.first(where: { !used.contains($0.0) }) {
            throw FieldError("unknown field \(goQuoted(extra.0))")
        }
    }
}
