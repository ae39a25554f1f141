/// Durations as people read them. Every duration the package prints goes through here, in one of a few named
/// styles; the styles differ where their readers do (a table column, a time axis, a flag's default, a message).
/// Negative durations print as zero.
public enum DurationText {
    /// How a duration is written.
    public enum Style: Sendable, CaseIterable {
        /// `250ms`, `3.2s`, `1m05s`, `2h04m`: milliseconds below a second (`syncctl why` and `timeline`, messages).
        case short
        /// `0.4s`, `3.2s`, `59.9s`, `1m05s`, `1h02m`: tenths of a second below a minute (sync-top's columns).
        case tenths
        /// `0s`, `0.5s`, `45s`, `2m`, `1m30s`, `1h`, `1h30m`: a time axis' labels, with no zero part.
        case axis
        /// `30s`, `5m`, `1h`, `250ms`, `0s`: the largest unit that divides it, as a duration flag is written
        /// (`--timeout 5m`); below a millisecond is dropped.
        case flag
        /// `10 s`, `250 ms`: whole seconds, else milliseconds, with a space (the agent's messages and logs).
        case spaced
    }

    /// `duration` written in `style`.
    public static func text(_ duration: Duration, _ style: Style) -> String {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return text(.zero, style) }
        switch style {
        case .short: return short(microseconds: whole(seconds, attoseconds, perSecond: 1_000_000))
        case .tenths: return tenths(microseconds: whole(seconds, attoseconds, perSecond: 1_000_000))
        case .axis: return axis(milliseconds: whole(seconds, attoseconds, perSecond: 1000))
        case .flag: return flag(nanoseconds: whole(seconds, attoseconds, perSecond: 1_000_000_000))
        case .spaced:
            let milliseconds = whole(seconds, attoseconds, perSecond: 1000)
            return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
        }
    }

    /// A number of microseconds written in `style`.
    public static func text(microseconds: Int64, _ style: Style) -> String {
        text(.microseconds(microseconds), style)
    }

    /// A number of microseconds in the ``Style/short`` style: `250ms`, `3.2s`, `1m05s`, `2h04m`.
    public static func short(microseconds: Int64) -> String {
        let micros = max(0, microseconds)
        if micros < 1_000_000 { return "\(micros / 1000)ms" }
        return tenths(microseconds: micros)
    }

    /// The time from `start` to `end` in `style`.
    public static func between(_ start: Timestamp, _ end: Timestamp, _ style: Style = .short) -> String {
        text(.microseconds(start.microseconds(to: end)), style)
    }

    private static func tenths(microseconds: Int64) -> String {
        let micros = max(0, microseconds)
        let tenths = micros / 100_000
        if tenths < 600 { return "\(tenths / 10).\(tenths % 10)s" }
        let seconds = micros / 1_000_000
        if seconds < 3600 { return "\(seconds / 60)m\(twoDigits(seconds % 60))s" }
        return "\(seconds / 3600)h\(twoDigits(seconds / 60 % 60))m"
    }

    private static func axis(milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        if milliseconds % 1000 != 0 { return "\(seconds).\(milliseconds % 1000 / 100)s" }
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m\(seconds % 60)s" }
        return seconds % 3600 == 0 ? "\(seconds / 3600)h" : "\(seconds / 3600)h\(seconds / 60 % 60)m"
    }

    private static func flag(nanoseconds: Int64) -> String {
        let hour: Int64 = 3_600_000_000_000
        let minute: Int64 = 60_000_000_000
        if nanoseconds % hour == 0 && nanoseconds != 0 { return "\(nanoseconds / hour)h" }
        if nanoseconds % minute == 0 && nanoseconds != 0 { return "\(nanoseconds / minute)m" }
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        return "\(nanoseconds / 1_000_000)ms"
    }

    /// `seconds` and `attoseconds` in whole units of `1/perSecond` s, rounded down; `Int64.max` when too large.
    private static func whole(_ seconds: Int64, _ attoseconds: Int64, perSecond: Int64) -> Int64 {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: perSecond)
        guard !overflow else { return .max }
        let (sum, overflowSum) = scaled.addingReportingOverflow(attoseconds / (1_000_000_000_000_000_000 / perSecond))
        return overflowSum ? .max : sum
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
