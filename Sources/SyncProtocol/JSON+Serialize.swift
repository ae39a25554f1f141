extension JSON {
    /// One line, no spaces: the wire form. Never contains a newline.
    public var compact: String {
        var out: [UInt8] = []
        write(to: &out, indent: nil, level: 0)
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
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): out += String(i).utf8
        case .double(let d):
            out += (d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)).utf8
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]".utf8
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
                out += "{}".utf8
                return
            }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent, level + 1)
                JSON.writeString(key, to: &out)
                out += (indent == nil ? ":" : ": ").utf8
                value.write(to: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ out: inout [UInt8], _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<level { out += indent.utf8 }
    }

    /// Writes a quoted string with Go's escaping: `"`, `\`, control characters, and `<`, `>`, `&`, U+2028, U+2029
    /// as `\u` escapes.
    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var needsEscape = false
        for byte in s.utf8
        where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x3C || byte == 0x3E
            || byte == 0x26 || byte == 0xE2
        {
            needsEscape = true
            break
        }
        guard needsEscape else {
            out += s.utf8
            out.append(UInt8(ascii: "\""))
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\"".utf8
            case "\\": out += "\\\\".utf8
            case "\n": out += "\\n".utf8
            case "\r": out += "\\r".utf8
            case "\t": out += "\\t".utf8
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += hexEscape(scalar.value).utf8
            default:
                if scalar.value < 0x20 {
                    out += hexEscape(scalar.value).utf8
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
