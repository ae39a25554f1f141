/// Short human durations: `250ms`, `3.2s`, `1m05s`, `2h04m`.
public enum DurationText {
    /// Formats a number of microseconds (negative counts as zero).
    public static func short(microseconds: Int64) -> String {
        let micros = max(0, microseconds)
        if micros < 1_000_000 { return "\(micros / 1000)ms" }
        if micros < 60_000_000 {
            let tenths = micros / 100_000
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let seconds = micros / 1_000_000
        if seconds < 3600 { return "\(seconds / 60)m\(twoDigits(seconds % 60))s" }
        return "\(seconds / 3600)h\(twoDigits(seconds / 60 % 60))m"
    }

    /// The time from `start` to `end`.
    public static func between(_ start: Timestamp, _ end: Timestamp) -> String {
        short(microseconds: start.microseconds(to: end))
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
