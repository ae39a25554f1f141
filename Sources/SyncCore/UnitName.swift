/// Unit names: 1–255 bytes of UTF-8 without control characters.
///
/// coder accepts any string; we refuse names that would break a table or a log line, with a message that says what
/// is wrong.
public enum UnitName {
    /// The longest name accepted, in UTF-8 bytes.
    public static let maxBytes = 255

    /// Checks `name`.
    /// - Returns: `nil` when the name is valid, otherwise what is wrong with it, e.g.
    ///   `unit name is required` or `unit name "a\nb" contains control character U+000A`.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "unit name is required" }
        let bytes = name.utf8.count
        if bytes > maxBytes {
            let shown = String(name.prefix(24))
            return "unit name \(goQuoted(shown))… is \(bytes) bytes long; the limit is \(maxBytes) bytes"
        }
        // Printable ASCII (most names) has no control character: no need to walk its scalars.
        if name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        if let bad = name.unicodeScalars.first(where: isControl) {
            return "unit name \(goQuoted(name)) contains control character \(bad.uPlus); "
                + "names are 1-\(maxBytes) bytes of UTF-8 without control characters"
        }
        return nil
    }

    /// Whether `name` is a valid unit name.
    public static func isValid(_ name: String) -> Bool { problem(with: name) == nil }

    /// Unicode general category Cc: C0 controls, DEL and C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

extension Unicode.Scalar {
    /// `U+000A` style.
    var uPlus: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

/// Quotes `text` as Go's `%q` does: double quotes, backslash escapes for quotes, backslashes and control characters.
/// coder's messages quote unit names this way, so ours do too.
public func goQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\u{0B}": out += "\\v"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else if UnitName.isControl(scalar) {
                out += "\\u00" + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
