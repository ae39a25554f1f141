import SyncCore
import Testing

/// `DurationText`: every style on its boundaries, as syncctl, sync-top, the reports and the agent print them.
@Suite("DurationText")
struct DurationTextTests {
    @Test(arguments: [
        (Int64(0), "0ms"), (999, "0ms"), (250_000, "250ms"), (999_999, "999ms"), (1_000_000, "1.0s"),
        (3_249_999, "3.2s"), (59_999_999, "59.9s"), (60_000_000, "1m00s"), (65_000_000, "1m05s"),
        (3_599_999_999, "59m59s"), (3_600_000_000, "1h00m"), (7_440_000_000, "2h04m"), (-5, "0ms"),
    ])
    func short(microseconds: Int64, text: String) {
        #expect(DurationText.short(microseconds: microseconds) == text)
        #expect(DurationText.text(microseconds: microseconds, .short) == text)
    }

    @Test(arguments: [
        (Int64(0), "0.0s"), (400_000, "0.4s"), (59_999_999, "59.9s"), (65_000_000, "1m05s"), (3_720_000_000, "1h02m"),
        (-5, "0.0s"),
    ])
    func tenths(microseconds: Int64, text: String) {
        #expect(DurationText.text(microseconds: microseconds, .tenths) == text)
    }

    @Test(arguments: [
        (Int64(0), "0s"), (500, "0.5s"), (1_500, "1.5s"), (45_000, "45s"), (120_000, "2m"), (90_000, "1m30s"),
        (3_600_000, "1h"), (5_400_000, "1h30m"),
    ])
    func axis(milliseconds: Int64, text: String) {
        #expect(DurationText.text(.milliseconds(milliseconds), .axis) == text)
    }

    @Test(arguments: [
        (Int64(0), "0s"), (250_000_000, "250ms"), (1_500_000_000, "1500ms"), (30_000_000_000, "30s"),
        (90_000_000_000, "90s"), (300_000_000_000, "5m"), (5_400_000_000_000, "90m"), (3_600_000_000_000, "1h"),
        (1_000_500, "1ms"),
    ])
    func flag(nanoseconds: Int64, text: String) {
        #expect(DurationText.text(.nanoseconds(nanoseconds), .flag) == text)
    }

    @Test(arguments: [(Int64(0), "0 s"), (250_000_000, "250 ms"), (10_000_000_000, "10 s"), (1_500_000_000, "1500 ms")])
    func spaced(nanoseconds: Int64, text: String) {
        #expect(DurationText.text(.nanoseconds(nanoseconds), .spaced) == text)
    }

    @Test func betweenTwoTimes() {
        let start = Timestamp(microseconds: 1_000_000)
        #expect(DurationText.between(start, Timestamp(microseconds: 4_200_000)) == "3.2s")
        #expect(DurationText.between(start, Timestamp(microseconds: 1_400_000), .tenths) == "0.4s")
        #expect(DurationText.between(start, Timestamp(microseconds: 0)) == "0ms", "an end before the start is zero")
    }

    @Test func hugeDurationsDoNotTrap() {
        #expect(DurationText.short(microseconds: .max) == "2562047788h00m")
        #expect(DurationText.text(.seconds(Int64.max), .flag) == "9223372036854ms", "capped at Int64.max ns")
    }
}
