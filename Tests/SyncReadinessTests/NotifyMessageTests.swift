import Testing

@testable import SyncReadiness

@Suite struct NotifyMessageTests {
    private func parse(_ text: String) -> [NotifyMessage] {
        NotifyMessage.parse(Array(text.utf8))
    }

    @Test func everyKnownKeyOfOneDatagramInOrder() {
        let datagram =
            "READY=1\nSTATUS=Processing requests\nERRNO=2\nEXIT_STATUS=3\nEXTEND_TIMEOUT_USEC=5000000\n"
            + "MAINPID=4242\nRELOADING=1\nSTOPPING=1"
        #expect(
            parse(datagram) == [
                .ready, .status("Processing requests"), .errno(2), .exitStatus(3),
                .extendTimeout(microseconds: 5_000_000), .mainPID(4242), .reloading, .stopping,
            ])
    }

    @Test func trailingNewlineAndEmptyLinesChangeNothing() {
        #expect(parse("READY=1\n") == [.ready])
        #expect(parse("\n\nREADY=1\n\nSTATUS=up\n\n") == [.ready, .status("up")])
    }

    @Test func emptyDatagramHasNoMessages() {
        #expect(NotifyMessage.parse([]).isEmpty)
        #expect(parse("\n\n\n").isEmpty)
    }

    @Test func unknownKeysAreOther() {
        #expect(
            parse("BARRIER=1\nWATCHDOG=1\nFDSTORE=1") == [
                .other(key: "BARRIER", value: "1"), .other(key: "WATCHDOG", value: "1"),
                .other(key: "FDSTORE", value: "1"),
            ])
    }

    @Test func valuesTheKeysDoNotTakeAreOther() {
        #expect(parse("READY=0") == [.other(key: "READY", value: "0")])
        #expect(parse("STOPPING=yes") == [.other(key: "STOPPING", value: "yes")])
        #expect(parse("EXIT_STATUS=FAILURE") == [.other(key: "EXIT_STATUS", value: "FAILURE")])
        #expect(parse("ERRNO=-1") == [.other(key: "ERRNO", value: "-1")])
        #expect(parse("ERRNO= 5") == [.other(key: "ERRNO", value: " 5")])
        #expect(parse("MAINPID=99999999999") == [.other(key: "MAINPID", value: "99999999999")])
        #expect(parse("EXTEND_TIMEOUT_USEC=") == [.other(key: "EXTEND_TIMEOUT_USEC", value: "")])
    }

    @Test func statusKeepsItsTextWholeEvenEqualsSigns() {
        #expect(parse("STATUS=a=b c") == [.status("a=b c")])
        #expect(parse("STATUS=") == [.status("")])
        #expect(parse("STATUS=migrating 3/10 ✓") == [.status("migrating 3/10 ✓")])
    }

    @Test func malformedLinesAreIgnoredAndTheRestKept() {
        #expect(parse("garbage\nREADY=1\n=no key\nno equals at all") == [.ready])
        #expect(parse("READY").isEmpty)
    }

    @Test func bytesThatAreNotUTF8DoNotStopTheParse() {
        let datagram: [UInt8] = Array("STATUS=".utf8) + [0xff, 0xfe, 0x00] + Array("\nREADY=1".utf8)
        #expect(NotifyMessage.parse(datagram) == [.status("\u{FFFD}\u{FFFD}\u{0}"), .ready])
        let noise = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }
        _ = NotifyMessage.parse(noise)
        #expect(NotifyMessage.parse(noise + Array("\nREADY=1".utf8)).last == .ready)
    }

    @Test func hugeDatagramParsesWhole() {
        let text = String(repeating: "x", count: 200_000)
        #expect(parse("STATUS=\(text)\nREADY=1") == [.status(text), .ready])
    }
}
