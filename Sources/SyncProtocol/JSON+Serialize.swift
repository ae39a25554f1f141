extension JSON {
    /// One line, no spaces: the wire form. Never contains a newline.
    public var compact: String {
        var out: [UInt8] = []
        write(to: &out, indent: nil, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``compact`` and a newline, written as one string: a frame of the wire.
    public var compactLine: String {
        var out: [UInt8] = []
        write(to: &out, indent: nil, level: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `json.MarshalIndent(v, "", "  ")`: two-space indent, `"key": value`, empty containers as `[]`/`{}`.
    /// No trailing newline.
    public var pretty: String {
        var out: [UInt8] = []
        write(to: &out, indent: "  ", level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    // The text is built as UTF-8 bytes: appending to a byte array costs a fraction of appending to a String, which
    // was most of the agent's time answering `list` for 10,000 units.
    private func write(to out: inout [UInt8], indent: String?, level: Int) {
        switch self {
        case .null: out.appendUTF8("null")
        case .bool(let b): out.appendUTF8(b ? "true" : "false")
        case .int(let i): out.appendDecimal(i)
        case .double(let d):
            out.appendUTF8(d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d))
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out.appendUTF8("[]")
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent, level + 1)
                item.write(to: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            guard !pairs.isEmpty else {
                out.appendUTF8("{}")
                return
            }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent, level + 1)
                JSON.writeString(key, to: &out)
                out.appendUTF8(indent == nil ? ":" : ": ")
                value.write(to: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ out: inout [UInt8], _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<level { out.appendUTF8(indent) }
    }

    /// Writes a quoted string with Go's escaping: `"`, `\`, control characters, and `<`, `>`, `&`, U+2028, U+2029
    /// as `\u` escapes.
    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // The usual string needs no escape: scanned and copied as one buffer of bytes (a walk of `String.UTF8View`
        // byte by byte was a fifth of the agent's instructions releasing 1,000 waiters).
        let copied =
            s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                for byte in bytes
                where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x3C || byte == 0x3E || byte == 0x26
                    || byte == 0xE2
                {
                    return false
                }
                out.append(contentsOf: bytes)
                return true
            } ?? false
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.appendUTF8("\\\"")
            case "\\": out.appendUTF8("\\\\")
            case "\n": out.appendUTF8("\\n")
            case "\r": out.appendUTF8("\\r")
            case "\t": out.appendUTF8("\\t")
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out.appendUTF8(hexEscape(scalar.value))
            default:
                if scalar.value < 0x20 {
                    out.appendUTF8(hexEscape(scalar.value))
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

extension [UInt8] {
    /// Appends the UTF-8 of `text` as one buffer where the string holds it contiguously (native and literal strings
    /// do), which `+= text.utf8` does not: that appends byte by byte.
    mutating func appendUTF8(_ text: String) {
        let appended: Void? = text.utf8.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        if appended == nil { append(contentsOf: text.utf8) }
    }

    /// Appends the bytes of a literal as one buffer: no `String` is made or asked for its storage (the generic
    /// ``appendUTF8(_:)`` of a literal cost ~100 instructions, a tenth of an event's encoding).
    mutating func appendLiteral(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal, without making a `String` of it first.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 20 digits of UInt64.max
        let start = Swift.withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            return index
        }
        Swift.withUnsafeBytes(of: &digits) { append(contentsOf: $0[start...]) }
    }
}
