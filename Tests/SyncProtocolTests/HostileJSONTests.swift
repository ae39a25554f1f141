import Testing

@testable import SyncProtocol

/// Frames an outsider could send to make the parser work much harder than the size of the frame: the cost of
/// parsing must grow with the frame, never faster. (Limits are generous: they catch a quadratic path, which takes
/// minutes at these sizes, not a slow machine.)
struct HostileJSONTests {
    /// `{"k0":0,"k1":0,…}` just under 1 MiB.
    private static func manyKeys(_ count: Int, then last: String = "") -> String {
        var text = "{"
        text.reserveCapacity(count * 12)
        for index in 0..<count { text += #""k\#(index)":0,"# }
        return text + (last.isEmpty ? #""end":0}"# : last + "}")
    }

    @Test(.timeLimit(.minutes(1)))
    func manyKeysInOneObjectParseInTimeProportionalToTheFrame() throws {
        let text = Self.manyKeys(80_000)
        #expect(text.utf8.count < 1 << 20)
        guard case .object(let pairs) = try JSON.parse(text) else {
            Issue.record("not an object")
            return
        }
        #expect(pairs.count == 80_001)
        // A repeated key at the very end is still found.
        let error = #expect(throws: JSONParseError.self) { try JSON.parse(Self.manyKeys(80_000, then: #""k3":1"#)) }
        #expect(error?.problem == #"duplicate key "k3""#)
    }

    @Test(.timeLimit(.minutes(1)))
    func manyKeysInOneRequestAreRefusedQuickly() throws {
        let text = #"{"id":1,"type":"ping","# + Self.manyKeys(80_000).dropFirst()
        let json = try JSON.parse(text)
        #expect(throws: WireError(.badRequest, #"unknown field "k0""#, requestID: 1)) { try Request(json: json) }
    }

    @Test func keysAreComparedAsBytesNotAsCanonicallyEquivalentText() throws {
        // "é" precomposed (NFC) and "e" + combining acute (NFD) are different keys on the wire.
        let text = "{\"\u{E9}\":1,\"e\u{301}\":2}"
        guard case .object(let pairs) = try JSON.parse(text) else {
            Issue.record("not an object")
            return
        }
        #expect(pairs.map { Array($0.0.utf8) } == [[0xC3, 0xA9], [0x65, 0xCC, 0x81]])
    }

    @Test(.timeLimit(.minutes(1)))
    func longStringsFullOfEscapesParseInLinearTime() throws {
        let escapes = String(repeating: #"\u00e9\n"#, count: 100_000)
        let value = try JSON.parse("\"" + escapes + "\"")
        #expect(value.stringValue?.unicodeScalars.count == 200_000)
    }

    @Test(.timeLimit(.minutes(1)), arguments: [JSON.maxDepth + 1, 500_000])
    func deepNestingIsRefusedWithoutExhaustingTheStack(depth: Int) {
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let error = #expect(throws: JSONParseError.self) { try JSON.parse(text) }
        #expect(error?.problem == "nested deeper than \(JSON.maxDepth) levels")
    }

    @Test(.timeLimit(.minutes(1)))
    func hugeNumbersAreParsedOrRefusedQuickly() throws {
        let digits = String(repeating: "7", count: 900_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(digits) }
        // Valid, and tiny: it rounds to zero.
        #expect(try JSON.parse("0." + digits + "e-99999999999999999999") == .double(0))
        #expect(try JSON.parse("123456789012345678901234567890").int64Value == nil)
    }
}
