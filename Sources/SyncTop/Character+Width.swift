extension Character {
    /// What the screen shows for this character: itself, or `?` for a control character, for a character holding an
    /// invisible formatting one (a zero-width space or joiner, a bidirectional override, a soft hyphen, a line
    /// separator), and for a pile of more than four marks on one base. Unit names may hold any of these; shown as
    /// they are, they would hide part of a name, reorder it, or take other columns than the layout counted (curses
    /// keeps at most a base and four marks in one cell).
    public var displayed: Character {
        if isControlCharacter { return "?" }
        var count = 0
        for scalar in unicodeScalars {
            count += 1
            switch scalar.properties.generalCategory {
            case .format, .lineSeparator, .paragraphSeparator: return "?"
            default: if count > 5 { return "?" }
            }
        }
        return self
    }

    /// Columns the character takes in a terminal, as ``displayed``: 0 for combining marks, 2 for East Asian wide and
    /// emoji-presentation characters, 1 otherwise. An approximation of `wcwidth` that needs no locale.
    public var terminalWidth: Int {
        let shown = displayed
        return shown == self ? rawWidth : shown.rawWidth
    }

    /// The columns of the character as it is.
    private var rawWidth: Int {
        guard let first = unicodeScalars.first else { return 0 }
        let value = first.value
        if value == 0 { return 0 }
        if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark {
            return 0
        }
        if first.properties.isEmojiPresentation { return 2 }
        if unicodeScalars.contains(where: { $0.value == 0xFE0F }) && first.properties.isEmoji { return 2 }
        return Character.wideRanges.contains { $0.contains(value) } ? 2 : 1
    }

    /// Whether the character is a C0/C1 control, which must never reach the terminal.
    var isControlCharacter: Bool {
        guard let value = unicodeScalars.first?.value else { return false }
        return value < 0x20 || (0x7F...0x9F).contains(value)
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
        0x1F900...0x1F9FF, 0x20000...0x3FFFD,
    ]
}

extension String {
    /// Columns the string takes in a terminal.
    public var terminalWidth: Int {
        // Printable ASCII takes one column a byte; the per-character Unicode lookups below cost ~40 % of a frame
        // when the units table measures a thousand names.
        if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return utf8.count }
        return reduce(0) { $0 + $1.terminalWidth }
    }
}
