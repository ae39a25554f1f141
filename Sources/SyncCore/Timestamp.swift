/// A point in time: microseconds since the Unix epoch, UTC.
///
/// The core never reads a clock itself; ``UnitGraph`` is given a clock so tests can fix time.
public struct Timestamp: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// Creates a timestamp from microseconds since the epoch.
    public init(microseconds: Int64) { self.rawValue = microseconds }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Microseconds from `self` to `later` (negative when `later` is earlier).
    public func microseconds(to later: Timestamp) -> Int64 { later.rawValue - rawValue }

    /// RFC 3339 in UTC with microseconds, e.g. `2026-11-26T13:19:18.123456Z`.
    public var description: String { rfc3339 }

    /// RFC 3339 in UTC with microseconds, e.g. `2026-11-26T13:19:18.123456Z`.
    public var rfc3339: String {
        let (days, micros) = rawValue.floorDivided(by: 86_400_000_000)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        let seconds = micros / 1_000_000
        let fraction = micros % 1_000_000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):"
            + "\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// Wall-clock time of day in UTC, `HH:MM:SS`.
    public var timeOfDay: String {
        let (_, micros) = rawValue.floorDivided(by: 86_400_000_000)
        let seconds = micros / 1_000_000
        return "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
    }

    /// Days since the epoch to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> (Int64, Int64) {
        let q = self / divisor
        let r = self % divisor
        return r < 0 ? (q - 1, r + divisor) : (q, r)
    }
}
