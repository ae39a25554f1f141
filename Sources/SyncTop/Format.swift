import SyncCore

/// Text forms of times and of texts that must fit a width.
public enum Format {
    /// A duration in microseconds as sync-top shows it: `0.4s`, `3.2s`, `59.9s`, `1m05s`, `59m59s`, `1h02m`.
    public static func duration(_ microseconds: Int64) -> String {
        DurationText.text(microseconds: microseconds, .tenths)
    }

    /// The time of day of `time` shifted by `utcOffset` seconds (the local zone's offset), `HH:MM:SS`.
    public static func clock(_ time: Timestamp, utcOffset: Int) -> String {
        Timestamp(microseconds: time.rawValue + Int64(utcOffset) * 1_000_000).timeOfDay
    }

    /// `text` cut in the middle to fit `width` columns: `claude-code-server` in 9 → `clau…rver`.
    public static func middle(_ text: String, _ width: Int, ellipsis: Character) -> String {
        guard text.terminalWidth > width else { return text }
        guard width > 1 else { return width == 1 ? String(ellipsis) : "" }
        let room = width - 1
        let head = prefix(text, columns: (room + 1) / 2)
        let tail = suffix(text, columns: room - head.terminalWidth)
        return head + String(ellipsis) + tail
    }

    /// `text` cut at the end to fit `width` columns, with `ellipsis` as its last character when cut.
    public static func tail(_ text: String, _ width: Int, ellipsis: Character) -> String {
        guard text.terminalWidth > width else { return text }
        guard width > 1 else { return width == 1 ? String(ellipsis) : "" }
        return prefix(text, columns: width - 1) + String(ellipsis)
    }

    /// `text` padded with spaces (or cut) to exactly `width` columns.
    public static func pad(_ text: String, _ width: Int, ellipsis: Character) -> String {
        let cut = tail(text, width, ellipsis: ellipsis)
        return cut + String(repeating: " ", count: max(0, width - cut.terminalWidth))
    }

    /// `text` right-aligned in `width` columns.
    public static func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.terminalWidth)) + text
    }

    /// `text` broken at spaces into lines of at most `width` columns (a word longer than that is cut), at most
    /// `maxLines` of them; the last one ends in `ellipsis` when text was left over.
    public static func wrap(_ text: String, _ width: Int, maxLines: Int, ellipsis: Character) -> [String] {
        guard width > 0, maxLines > 0 else { return [] }
        var lines: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if lines.count == maxLines - 1 {
                lines.append(tail(String(rest), width, ellipsis: ellipsis))
                break
            }
            var line = prefix(String(rest), columns: width)
            if line.count < rest.count, let space = line.lastIndex(of: " "), space > line.startIndex {
                line = String(line[..<space])
            }
            lines.append(line)
            rest = rest.dropFirst(line.count).drop { $0 == " " }
        }
        return lines
    }

    /// The longest prefix of `text` that fits `columns`.
    static func prefix(_ text: String, columns: Int) -> String {
        var out = ""
        var used = 0
        for character in text {
            let width = character.terminalWidth
            if used + width > columns { break }
            out.append(character)
            used += width
        }
        return out
    }

    /// The longest suffix of `text` that fits `columns`.
    static func suffix(_ text: String, columns: Int) -> String {
        var out: [Character] = []
        var used = 0
        for character in text.reversed() {
            let width = character.terminalWidth
            if used + width > columns { break }
            out.append(character)
            used += width
        }
        return String(out.reversed())
    }
}
