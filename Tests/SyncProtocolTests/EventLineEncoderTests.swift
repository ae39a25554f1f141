import SyncCore
import Testing

@testable import SyncProtocol

/// The agent's direct event encoder must write exactly what `SyncEvent.json.compact` writes, for every kind and
/// every name, escapes included: the journal, the history and every subscriber receive its bytes.
struct EventLineEncoderTests {
    private static let names = [
        "git", "unit-99999", "a b", "", "é", "q\"uote", "back\\slash", "tab\t", "<&>", "line\u{2028}sep", "nul\u{1}",
        String(repeating: "long-name-", count: 30),
    ]

    @Test func writesWhatTheJSONValueWritesForEveryKind() {
        var random = SystemRandomNumberGenerator()
        let times: [Int64] = [0, -1, Int64.min, Int64.max, 9]
        for _ in 0..<5 {
            for event in EventLineDecoderTests.events(&random, names: Self.names) {
                #expect(EventLineEncoder.encode(event) == event.json.compact)
                let extreme = SyncEvent(
                    sequence: UInt64(Int64.max), time: Timestamp(microseconds: times.randomElement(using: &random)!),
                    kind: event.kind)
                #expect(EventLineEncoder.encode(extreme) == extreme.json.compact)
            }
        }
    }

    @Test func theLinesItWritesDecodeBackFast() {
        let event = SyncEvent(
            sequence: 12, time: Timestamp(microseconds: 1_795_699_855_402_320),
            kind: .statusChanged(unit: "unit-7", from: .pending, to: .started, reason: nil, cause: nil, by: "tok"))
        let line = Array(EventLineEncoder.encode(event).utf8)
        #expect(line.withUnsafeBufferPointer { EventLineDecoder.decode($0) } == event)
    }

    @Test func decimalsAsStringWritesThem() {
        for value: Int64 in [0, 1, -1, 9, 10, -10, 1_234_567_890, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1] {
            var out: [UInt8] = []
            out.appendDecimal(value)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
    }

    @Test func framesAreTheCompactJSONAndANewline() {
        let message = ServerMessage.ok(7, .wait(units: ["a", "q\"b"]))
        #expect(message.frame == message.json.compact + "\n")
        #expect(JSON.object([("x", .int(-3)), ("y", .string("<"))]).compactLine == #"{"x":-3,"y":"\u003c"}"# + "\n")
    }
}
