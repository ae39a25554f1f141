import SyncCore
import SyncTop
import Testing

@Suite("Format and screen buffer")
struct FormatTests {
    @Test(arguments: [
        (Int64(0), "0.0s"), (400_000, "0.4s"), (3_249_999, "3.2s"), (59_999_999, "59.9s"), (65_000_000, "1m05s"),
        (3_599_000_000, "59m59s"), (3_720_000_000, "1h02m"), (-5, "0.0s"),
    ])
    func durations(micros: Int64, text: String) {
        #expect(Format.duration(micros) == text)
    }

    @Test func clockUsesTheOffset() {
        #expect(Format.clock(Fixture.at(3725), utcOffset: 0) == "10:02:05")
        #expect(Format.clock(Fixture.at(0), utcOffset: 3600) == "10:00:00")
        #expect(Format.clock(Fixture.at(0), utcOffset: -36_000) == "23:00:00")
    }

    @Test func truncation() {
        #expect(Format.middle("claude-code-server", 9, ellipsis: "…") == "clau…rver")
        #expect(Format.middle("short", 9, ellipsis: "…") == "short")
        #expect(Format.tail("deps-install failed", 8, ellipsis: "~") == "deps-in~")
        #expect(Format.pad("ab", 4, ellipsis: "…") == "ab  ")
        #expect(Format.padLeft("3.2s", 6) == "  3.2s")
    }

    @Test func wrapping() {
        let cause = #"deps-install failed ("exit 1: npm ERR!"), via deps-install -> dev-server"#
        #expect(
            Format.wrap(cause, 30, maxLines: 3, ellipsis: "…") == [
                #"deps-install failed ("exit 1:"#, #"npm ERR!"), via deps-install"#, "-> dev-server",
            ])
        #expect(
            Format.wrap(cause, 30, maxLines: 2, ellipsis: "…") == [
                #"deps-install failed ("exit 1:"#, #"npm ERR!"), via deps-install …"#,
            ])
        #expect(Format.wrap("abcdefghij", 4, maxLines: 5, ellipsis: "…") == ["abcd", "efgh", "ij"])
        #expect(Format.wrap("", 4, maxLines: 2, ellipsis: "…").isEmpty)
    }

    @Test func wideCharactersTakeTwoColumns() {
        #expect("日本".terminalWidth == 4)
        #expect("✔ ok".terminalWidth == 4)
        #expect("e\u{301}".terminalWidth == 1)
        #expect(Format.middle("日本語のユニット", 7, ellipsis: "…") == "日…ット", "no half characters")
    }

    @Test func bufferClipsAndKeepsWideCharactersWhole() {
        var buffer = ScreenBuffer(Size(width: 6, height: 2))
        #expect(buffer.put("日本語", x: 1, y: 0) == 6)
        #expect(buffer.line(0) == " 日本")
        buffer.put("x", x: 2, y: 0)
        #expect(buffer.line(0) == "  x本", "overwriting half of a wide character blanks the other half")
        buffer.put("a\nb", x: 0, y: 1)
        #expect(buffer.line(1) == "a?b", "control characters never reach the terminal")
        buffer.put("ignored", x: 0, y: 5)
        #expect(buffer.text == "  x本\na?b")
    }

    @Test func segmentsShortenWithAnEllipsis() {
        let segments = [Segment("status "), Segment("failed: exit 128", Style(.failed))]
        let cut = segments.truncated(to: 12, ellipsis: "…")
        #expect(cut.map(\.text).joined() == "status fail…" && cut.width == 12)
        #expect(segments.truncated(to: 40, ellipsis: "…") == segments)
    }

    @Test func runsGroupEqualStyles() {
        var buffer = ScreenBuffer(Size(width: 8, height: 1))
        buffer.put("ab", x: 0, y: 0, style: Style(.failed))
        buffer.put("c", x: 2, y: 0, style: Style(.completed))
        #expect(buffer.runs(0).map(\.text) == ["ab", "c", "     "])
        #expect(buffer.runs(0).map(\.x) == [0, 2, 3])
    }
}
