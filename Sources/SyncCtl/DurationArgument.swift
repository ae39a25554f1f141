import ArgumentParser
import SyncCore

/// A duration written as Go writes them: `30s`, `5m`, `1h30m`, `1.5h`, `250ms`, `0`. Zero means no timeout; a
/// negative duration, or one beyond ~292 years, is a usage error (Go would read a negative one as "no timeout",
/// which hides a typo).
struct DurationArgument: ExpressibleByArgument, Equatable, CustomStringConvertible {
    /// Nanoseconds, zero or more.
    var nanoseconds: Int64

    init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    init?(argument: String) {
        guard let value = try? DurationArgument.parse(argument) else { return nil }
        nanoseconds = value
    }

    /// For `@Option(transform:)`: the value, or an error whose text says what is wrong with it.
    static func parsing(_ text: String) throws -> DurationArgument {
        DurationArgument(nanoseconds: try parse(text))
    }

    /// `nil` for zero (no timeout).
    var duration: Duration? {
        nanoseconds > 0 ? .nanoseconds(nanoseconds) : nil
    }

    var description: String { DurationText.text(.nanoseconds(nanoseconds), .flag) }

    var defaultValueDescription: String { description }

    static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// The largest duration accepted, in nanoseconds: what fits an Int64, ~292 years (Go's limit too).
    static let maximum = Double(Int64.max)

    /// Why a text is not a duration; printed after ArgumentParser's "The value '…' is invalid for '--timeout'".
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Go's `time.ParseDuration` grammar, without negative values.
    /// - Returns: nanoseconds, zero or more.
    /// - Throws: ``Invalid`` when the text is not a duration, is negative or is too large.
    static func parse(_ text: String) throws(Invalid) -> Int64 {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        let grammar = Invalid(description: "write a duration such as 30s, 5m, 1h30m or 250ms (0: no limit)")
        guard !rest.isEmpty else { throw grammar }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", let value = Double(number) else { throw grammar }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else { throw grammar }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total.isFinite, total < maximum else {
            throw Invalid(description: "the longest duration is 2562047h (about 292 years); use 0 for no limit")
        }
        if negative && total > 0 {
            throw Invalid(description: "a duration cannot be negative; use 0 for no limit")
        }
        return Int64(total)
    }
}
