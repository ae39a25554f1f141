import Testing

@testable import SyncCore

/// Unit names are 1–255 bytes of UTF-8 without control characters; messages quote names as Go's `%q`.
struct UnitNameTests {
    @Test func emptyNameIsRequired() {
        #expect(UnitName.problem(with: "") == "unit name is required")
        #expect(UnitName.isValid("") == false)
    }

    @Test(arguments: [
        (String(repeating: "a", count: 255), true),
        (String(repeating: "a", count: 256), false),
        (String(repeating: "é", count: 127) + "a", true),  // 255 bytes, 128 characters
        (String(repeating: "é", count: 128), false),  // 256 bytes
        (String(repeating: "€", count: 85), true),  // 255 bytes
        (String(repeating: "€", count: 86), false),  // 258 bytes
        (String(repeating: "🙂", count: 63) + "abc", true),  // 255 bytes
        (String(repeating: "🙂", count: 64), false),  // 256 bytes
    ])
    func lengthIsCountedInBytes(name: String, valid: Bool) {
        #expect(UnitName.isValid(name) == valid, "\(name.utf8.count) bytes")
    }

    @Test func tooLongMessageShowsTheStartAndTheLength() {
        let name = String(repeating: "€", count: 86)
        #expect(
            UnitName.problem(with: name)
                == "unit name \"\(String(repeating: "€", count: 24))\"… is 258 bytes long; the limit is 255 bytes")
    }

    @Test(arguments: [
        ("a\nb", #""a\nb""#, "U+000A"),
        ("tab\there", #""tab\there""#, "U+0009"),
        ("nul\u{0}", #""nul\x00""#, "U+0000"),
        ("esc\u{1B}[31m", #""esc\x1b[31m""#, "U+001B"),
        ("del\u{7F}", #""del\x7f""#, "U+007F"),
        ("nel\u{85}", #""nel\u0085""#, "U+0085"),
        ("c1\u{9F}", #""c1\u009f""#, "U+009F"),
        ("cr\r", #""cr\r""#, "U+000D"),
    ])
    func controlCharactersAreRefused(name: String, quoted: String, scalar: String) {
        #expect(
            UnitName.problem(with: name)
                == "unit name \(quoted) contains control character \(scalar); "
                + "names are 1-255 bytes of UTF-8 without control characters")
    }

    @Test(arguments: [
        "git-clone", "my unit", " leading and trailing ", "module.git_clone", "módulo", "日本語", "🙂",
        "a/b:c@d", "-x", "\u{A0}nbsp", "quote\"back\\slash", "x",
    ])
    func ordinaryNamesAreAccepted(name: String) {
        #expect(UnitName.problem(with: name) == nil)
    }

    @Test func operationsRefuseInvalidNames() throws {
        var graph = fixedGraph()
        let error = #expect(throws: SyncError.self) { try graph.start("a\nb", wait: nil) }
        #expect(error?.code == .invalidName)
        #expect(
            error?.message
                == #"cannot start unit "a\nb": unit name "a\nb" contains control character U+000A; "#
                + "names are 1-255 bytes of UTF-8 without control characters")
        #expect(throws: SyncError.self) { try graph.register(String(repeating: "x", count: 256)) }
        try graph.register(String(repeating: "x", count: 255))
        try graph.register("my unit ✓")
        #expect(graph.unitCount == 2)
    }

    /// Expected values are what Go's `fmt.Sprintf("%q", s)` prints.
    @Test(arguments: [
        ("", #""""#),
        ("test-unit", #""test-unit""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"C:\dir"#, #""C:\\dir""#),
        ("a\nb\tc\rd", #""a\nb\tc\rd""#),
        ("\u{07}\u{08}\u{0C}\u{0B}", #""\a\b\f\v""#),
        ("\u{0}\u{1}\u{1F}", #""\x00\x01\x1f""#),
        ("\u{7F}", #""\x7f""#),
        ("\u{80}\u{85}", #""\u0080\u0085""#),
        ("é日本🙂", #""é日本🙂""#),
        ("exit 128: auth required", #""exit 128: auth required""#),
    ])
    func goQuotedMatchesGo(text: String, quoted: String) {
        #expect(goQuoted(text) == quoted)
    }
}

struct StatusAndTimeTests {
    @Test func statusesSortInLifeCycleOrder() {
        #expect(UnitStatus.allCases.sorted() == [.pending, .started, .completed, .failed, .skipped])
        #expect(UnitStatus.allCases.map(\.rawValue) == ["pending", "started", "completed", "failed", "skipped"])
        #expect(Optional(UnitStatus.completed).display == "completed")
        #expect(Optional(UnitStatus.completed).wireValue == "completed")
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z", "00:00:00"),
        (1_795_699_158_123_456, "2026-11-26T13:19:18.123456Z", "13:19:18"),
        (-1, "1969-12-31T23:59:59.999999Z", "23:59:59"),
        (951_782_400_000_000, "2000-02-29T00:00:00.000000Z", "00:00:00"),
        (4_107_542_399_999_999, "2100-02-28T23:59:59.999999Z", "23:59:59"),
    ])
    func rfc3339(microseconds: Int64, text: String, timeOfDay: String) {
        let time = Timestamp(microseconds: microseconds)
        #expect(time.rfc3339 == text)
        #expect(time.description == text)
        #expect(time.timeOfDay == timeOfDay)
    }

    @Test func arithmeticAndOrder() {
        let early = Timestamp(microseconds: 1_000)
        let late = Timestamp(microseconds: 3_500)
        #expect(early < late)
        #expect(early.microseconds(to: late) == 2_500)
        #expect(late.microseconds(to: early) == -2_500)
        #expect(Timestamp() == Timestamp(rawValue: 0))
    }
}
