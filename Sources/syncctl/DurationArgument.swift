import ArgumentParser

/// A duration written as Go writes them: `30s`, `5m`, `1h30m`, `1.5h`, `250ms`, `0`. Zero or negative means no
/// timeout.
struct DurationArgument: ExpressibleByArgument, Equatable, CustomStringConvertible {
    /// Nanoseconds.
    var nanoseconds: Int64

    init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    init?(argument: String) {
        guard let value = DurationArgument.parse(argument) else { return nil }
        nanoseconds = value
    }

    /// `nil` for zero or negative (no timeout).
    var duration: Duration? {
        nanoseconds > 0 ? .nanoseconds(nanoseconds) : nil
    }

    var description: String {
        if nanoseconds % 3_600_000_000_000 == 0 && nanoseconds != 0 { return "\(nanoseconds / 3_600_000_000_000)h" }
        if nanoseconds % 60_000_000_000 == 0 && nanoseconds != 0 { return "\(nanoseconds / 60_000_000_000)m" }
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        return "\(nanoseconds / 1_000_000)ms"
    }

    var defaultValueDescription: String { description }

    static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// Go's `time.ParseDuration` grammar. - Returns: nanoseconds, or `nil` when the text is not a duration.
    static func parse(_ text: String) -> Int64? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, number != ".", let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total * sign < 9.2e18 else { return nil }
        return Int64(total * sign)
    }
}
