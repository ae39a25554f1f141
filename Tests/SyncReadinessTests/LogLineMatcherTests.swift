import Testing

@testable import SyncReadiness

@Suite struct LogLineMatcherTests {
    @Test func matchesALineSplitAcrossWrites() throws {
        var matcher = try LogLineMatcher(pattern: "listening on port [0-9]+$")
        let chunks = ["starting\nlisten", "ing on po", "rt 54", "32\r\nmore\n"]
        let results = chunks.map { matcher.feed(Array($0.utf8)) }
        #expect(results == [false, false, false, true])
        #expect(matcher.matchedLine == "listening on port 5432")
        let after = matcher.feed(Array("anything".utf8))
        #expect(after)
    }

    @Test func byteByByte() throws {
        var matcher = try LogLineMatcher(pattern: "^ready$")
        var matchedAt: Int?
        for (index, byte) in Array("not ready\nready\n".utf8).enumerated() where matchedAt == nil {
            if matcher.feed([byte]) { matchedAt = index }
        }
        #expect(matchedAt == 15)
    }

    @Test func doesNotMatchAcrossLines() throws {
        var matcher = try LogLineMatcher(pattern: "a b")
        let fed = matcher.feed(Array("a\nb\n".utf8))
        let finished = matcher.finish()
        #expect(!fed && !finished)
        #expect(matcher.matchedLine == nil)
    }

    @Test func lastLineWithoutNewlineMatchesAtTheEnd() throws {
        var matcher = try LogLineMatcher(pattern: "done")
        let fed = matcher.feed(Array("all done".utf8))
        let finished = matcher.finish()
        #expect(!fed && finished)
        #expect(matcher.matchedLine == "all done")
    }

    @Test func invalidUTF8IsRepairedNotFatal() throws {
        var matcher = try LogLineMatcher(pattern: "ok")
        let matched = matcher.feed([0xff, 0xfe] + Array(" ok\n".utf8))
        #expect(matched)
    }

    @Test func invalidPatternThrows() {
        #expect(throws: (any Error).self) { try LogLineMatcher(pattern: "[") }
    }

    @Test func veryLongLineKeepsItsStart() throws {
        var matcher = try LogLineMatcher(pattern: "^start")
        let matched = matcher.feed(Array("start".utf8) + [UInt8](repeating: 0x61, count: 200_000) + [0x0a])
        #expect(matched)
        #expect(matcher.matchedLine?.utf8.count == LogLineMatcher.maximumLineBytes)
    }
}
