import SyncCore

/// Decodes one event line in exactly the form ``SyncEvent/json`` writes it (compact, fields in its order, names and
/// words of printable ASCII without escapes), straight from the bytes: no `JSON` value, no per-field lookups. It is
/// the journal's fast path for the events the agent itself wrote.
///
/// The contract: for every line it accepts, it returns the event that `SyncEvent(json: JSON.parse(line))` returns;
/// any other line (another field order, whitespace, an escape, a non-ASCII name, an unknown or rarer kind, a field
/// that would not decode) gives `nil`, and the caller decodes it the general way, which also says what is wrong.
package enum EventLineDecoder {
    /// The event `line` holds, or `nil` when it is not in the exact form written by ``SyncEvent/json``.
    package static func decode(_ line: UnsafeBufferPointer<UInt8>) -> SyncEvent? {
        var cursor = Cursor(bytes: line)
        guard cursor.skip("{\"seq\":"), let sequence = cursor.number(), sequence > 0,
            cursor.skip(",\"time_us\":"), let time = cursor.number(allowNegative: true),
            cursor.skip(",\"kind\":\""), let kindName = cursor.plainBytes(), cursor.skip(",\"unit\":\""),
            let unit = cursor.plainString()
        else { return nil }
        let kind: SyncEvent.Kind
        switch Kind(kindName) {
        case .registered:
            kind = .registered(unit: unit)
        case .dependencyAdded:
            guard cursor.skip(",\"depends_on\":\""), let dependency = cursor.plainString(),
                cursor.skip(",\"required\":\""), let required = cursor.status()
            else { return nil }
            kind = .dependencyAdded(unit: unit, dependsOn: dependency, required: required)
        case .statusChanged:
            guard cursor.skip(",\"from\":\""), let from = cursor.statusOrEmpty(), cursor.skip(",\"to\":\""),
                let to = cursor.status(), cursor.skip(",\"reason\":"), let reason = cursor.optionalString(),
                cursor.skip(",\"cause\":null")
            else { return nil }
            var token: String?
            if cursor.skip(",\"by\":\"") {
                guard let by = cursor.plainString() else { return nil }
                token = by
            }
            kind = .statusChanged(unit: unit, from: from, to: to, reason: reason, cause: nil, by: token)
        case .waitEnded:
            guard cursor.skip(",\"outcome\":\""), let word = cursor.plainString(),
                let outcome = WaitOutcome(rawValue: word)
            else { return nil }
            kind = .waitEnded(unit: unit, outcome: outcome)
        case .noted:
            guard cursor.skip(",\"note\":"), let note = cursor.optionalString() else { return nil }
            kind = .noted(unit: unit, note: note)
        case nil:
            return nil
        }
        guard cursor.skip("}"), cursor.atEnd else { return nil }
        return SyncEvent(sequence: UInt64(sequence), time: Timestamp(microseconds: time), kind: kind)
    }

    /// The kinds this path decodes; the others (`wait_began`, `readiness`) take the general one.
    private enum Kind {
        case registered, dependencyAdded, statusChanged, waitEnded, noted

        init?(_ name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 10 where same(name, "registered"): self = .registered
            case 16 where same(name, "dependency_added"): self = .dependencyAdded
            case 14 where same(name, "status_changed"): self = .statusChanged
            case 10 where same(name, "wait_ended"): self = .waitEnded
            case 5 where same(name, "noted"): self = .noted
            default: return nil
            }
        }
    }

    /// Whether `bytes` are `word`'s, compared as bytes (the generic walk of a `String.UTF8View`, or a `String`
    /// made for `UnitStatus(rawValue:)`, cost a fifth of decoding a line).
    private static func same(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let expected = word.utf8Start
        for index in 0..<bytes.count where bytes[index] != expected[index] { return false }
        return true
    }

    /// The status `bytes` name, if any.
    private static func status(_ bytes: UnsafeBufferPointer<UInt8>) -> UnitStatus? {
        switch bytes.count {
        case 7 where same(bytes, "pending"): return .pending
        case 7 where same(bytes, "started"): return .started
        case 9 where same(bytes, "completed"): return .completed
        case 6 where same(bytes, "failed"): return .failed
        case 7 where same(bytes, "skipped"): return .skipped
        default: return nil
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        /// Steps over `text` if the bytes go on with it.
        mutating func skip(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            let expected = text.utf8Start
            for offset in 0..<count where bytes[index + offset] != expected[offset] { return false }
            index += count
            return true
        }

        /// A JSON integer of at most 18 digits (so it fits 64 bits), without a leading zero; with
        /// `allowNegative`, possibly negative (but not `-0`, which the general path reads otherwise).
        mutating func number(allowNegative: Bool = false) -> Int64? {
            var negative = false
            if allowNegative, index < bytes.count, bytes[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            let start = index
            var value: Int64 = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                guard index - start < 18 else { return nil }
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            let digits = index - start
            guard digits >= 1, digits <= 18, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if negative {
                guard value != 0 else { return nil }
                return -value
            }
            return value
        }

        /// The bytes up to the closing quote, which it steps over (the opening one is already behind), when they
        /// are all printable ASCII other than `"` and `\`: a JSON string that means exactly those bytes.
        mutating func plainBytes() -> UnsafeBufferPointer<UInt8>? {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }

        mutating func plainString() -> String? {
            plainBytes().map { String(decoding: $0, as: UTF8.self) }
        }

        mutating func status() -> UnitStatus? {
            plainBytes().flatMap(EventLineDecoder.status)
        }

        /// A status word, or `""` for none: `.some(nil)`; `nil` when it is neither.
        mutating func statusOrEmpty() -> UnitStatus?? {
            guard let word = plainBytes() else { return nil }
            if word.isEmpty { return .some(nil) }
            return EventLineDecoder.status(word).map { .some($0) }
        }

        /// `null` (`.some(nil)`) or a plain string; `nil` when it is neither.
        mutating func optionalString() -> String?? {
            if skip("null") { return .some(nil) }
            guard skip("\"") else { return nil }
            return plainString().map { .some($0) }
        }
    }
}
