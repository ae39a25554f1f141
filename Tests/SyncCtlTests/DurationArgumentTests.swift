import Testing

@testable import SyncCtl

@Suite struct DurationArgumentTests {
    @Test(
        arguments: [
            ("0", 0), ("+0", 0), ("-0", 0), ("30s", 30_000_000_000), ("5m", 300_000_000_000),
            ("1h30m", 5_400_000_000_000), ("1.5h", 5_400_000_000_000), ("250ms", 250_000_000),
            ("1h0m1s", 3_601_000_000_000),
            ("100ns", 100), ("7us", 7_000), ("7µs", 7_000), ("7μs", 7_000), ("+2s", 2_000_000_000),
            (".5s", 500_000_000),
            ("0s", 0), ("2562047h", 2_562_047 * 3_600_000_000_000),
        ] as [(String, Int64)])
    func readsGoDurations(text: String, nanoseconds: Int64) throws {
        #expect(try DurationArgument.parse(text) == nanoseconds)
        #expect(DurationArgument(argument: text)?.nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "5", "s", "5x", "5 s", "1e3s", ".s", "5s-", "--5s", "5S", "1h 30m", "h5"])
    func refusesWhatIsNotADuration(text: String) {
        #expect(throws: DurationArgument.Invalid.self) { try DurationArgument.parse(text) }
        #expect(DurationArgument(argument: text) == nil)
        #expect(Self.message(text) == "write a duration such as 30s, 5m, 1h30m or 250ms (0: no limit)")
        #expect(throws: DurationArgument.Invalid.self) { try DurationArgument.parsing(text) }
    }

    @Test(arguments: ["-1s", "-5m", "-1h30m", "-1ns"])
    func refusesNegativeDurations(text: String) {
        #expect(Self.message(text) == "a duration cannot be negative; use 0 for no limit")
        #expect(DurationArgument(argument: text) == nil)
    }

    /// Beyond what an Int64 of nanoseconds holds (2562047h is the longest accepted); negative or not.
    @Test(arguments: ["2562048h", "153722868m", "9999999999h", "300000000000000000000ns", "2562047h1h", "-2562048h"])
    func refusesDurationsBeyondAnInt64(text: String) {
        #expect(Self.message(text) == "the longest duration is 2562047h (about 292 years); use 0 for no limit")
        #expect(DurationArgument(argument: text) == nil)
    }

    @Test(
        arguments: [
            (0, "0s"), (30_000_000_000, "30s"), (300_000_000_000, "5m"), (5_400_000_000_000, "90m"),
            (3_600_000_000_000, "1h"), (250_000_000, "250ms"), (1_500_000_000, "1500ms"), (7_200_000_000_000, "2h"),
        ] as [(Int64, String)])
    func describesItselfInTheLargestWholeUnit(nanoseconds: Int64, text: String) throws {
        let duration = DurationArgument(nanoseconds: nanoseconds)
        #expect(duration.description == text)
        #expect(duration.defaultValueDescription == text)
        #expect(try DurationArgument.parse(text) == nanoseconds)
    }

    @Test func zeroMeansNoTimeout() {
        #expect(DurationArgument(nanoseconds: 0).duration == nil)
        #expect(DurationArgument(nanoseconds: 1_000_000).duration == .milliseconds(1))
    }

    /// The text of the error `text` is refused with.
    static func message(_ text: String) -> String {
        do {
            _ = try DurationArgument.parse(text)
            return "accepted"
        } catch {
            return error.description
        }
    }
}
