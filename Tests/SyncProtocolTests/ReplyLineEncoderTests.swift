import SyncCore
import Testing

@testable import SyncProtocol

/// The agent's direct reply encoder must write exactly the frame of the `JSON` value, escapes included: every
/// released `start` receives its bytes.
struct ReplyLineEncoderTests {
    private static let names = [
        "git", "unit-99999", "a b", "", "é", "q\"uote", "back\\slash", "tab\t", "<&>", "line\u{2028}sep", "nul\u{1}",
        "cafe\u{301}", String(repeating: "long-name-", count: 30),
    ]

    @Test func writesTheFrameOfTheJSONValueForEveryShape() {
        var random = SystemRandomNumberGenerator()
        let ids: [Int64] = [0, 1, 2, -1, 42, 1_000_000_007, Int64.max, Int64.min]
        var checked = 0
        for unit in Self.names {
            for count in [0, 1, 2, 5] {
                for _ in 0..<4 {
                    let dependencies = (0..<count).map { _ in Self.names.randomElement(using: &random)! }
                    let unsatisfied = dependencies.filter { _ in Bool.random(using: &random) }
                    let info = StartInfo(
                        unit: unit, dependencies: dependencies, unsatisfiedAtStart: unsatisfied,
                        waited: Bool.random(using: &random))
                    let id = ids.randomElement(using: &random)!
                    #expect(ReplyLineEncoder.startReply(id: id, info) == ServerMessage.ok(id, .start(info)).frame)
                    checked += 1
                }
            }
        }
        #expect(checked == Self.names.count * 16)
    }

    @Test func theFrameDecodesBackToTheSameReply() throws {
        let info = StartInfo(
            unit: "fan-7", dependencies: ["fan-root", "q\"b"], unsatisfiedAtStart: ["fan-root"], waited: true)
        let frame = ReplyLineEncoder.startReply(id: 3, info)
        #expect(frame.hasSuffix("}\n"))
        #expect(frame.utf8.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        let message = try ServerMessage(json: try JSON.parse(String(frame.dropLast())))
        #expect(message == ServerMessage.ok(3, .start(info)))
    }
}
