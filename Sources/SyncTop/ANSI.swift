/// Styled text for a plain terminal or a pipe: SGR escapes only when colour is on, otherwise none at all.
public enum ANSI {
    /// `lines` joined with newlines; with `color`, each styled segment is wrapped in SGR codes and reset after.
    public static func render(_ lines: [[Segment]], color: Bool) -> String {
        lines.map { line in
            line.map { segment in
                let codes = color ? sgr(segment.style) : []
                guard !codes.isEmpty else { return segment.text }
                return "\u{1B}[" + codes.joined(separator: ";") + "m" + segment.text + "\u{1B}[0m"
            }.joined()
        }.joined(separator: "\n")
    }

    /// The SGR parameters of a style: colour by role, then bold, underline, reverse.
    static func sgr(_ style: Style) -> [String] {
        var codes: [String] = []
        switch style.role {
        case .normal, .header: break
        case .dim, .skipped, .unregistered: codes.append("90")
        case .accent: codes.append("35")
        case .warning, .pending: codes.append("33")
        case .started: codes.append("36")
        case .completed: codes.append("32")
        case .failed: codes.append("31")
        }
        if style.bold { codes.append("1") }
        if style.underline { codes.append("4") }
        if style.reverse { codes.append("7") }
        return codes
    }
}
