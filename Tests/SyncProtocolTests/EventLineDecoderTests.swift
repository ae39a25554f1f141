import SyncCore
import Testing

@testable import SyncProtocol

/// The journal's fast decoder must never disagree with the general one: for every line it accepts, the event it
/// returns is the one `SyncEvent(json: JSON.parse(line))` returns; it accepts the common lines the agent writes, and
/// leaves everything else (escapes, other field orders, damaged lines) to the general path.
struct EventLineDecoderTests {
    private static func decode(_ line: [UInt8]) -> SyncEvent? {
        line.withUnsafeBufferPointer { EventLineDecoder.decode($0) }
    }

    private static func general(_ line: [UInt8]) -> SyncEvent? {
        (try? JSON.parse(line)).flatMap { SyncEvent(json: $0) }
    }

    private static let names = ["git", "unit-99999", "a b", "", "é", "q\"uote", "back\\slash", "tab\t", "<&>"]

    /// Events of every kind, with plain and awkward names and every optional field set and unset.
    static func events(_ random: inout SystemRandomNumberGenerator, names: [String] = Self.names) -> [SyncEvent] {
        func name() -> String { names.randomElement(using: &random)! }
        func status() -> UnitStatus { UnitStatus.allCases.randomElement(using: &random)! }
        var events: [SyncEvent] = []
        for sequence in 1...400 {
            let kinds: [SyncEvent.Kind] = [
                .registered(unit: name()),
                .dependencyAdded(unit: name(), dependsOn: name(), required: status()),
                .statusChanged(unit: name(), from: nil, to: status(), reason: nil, cause: nil),
                .statusChanged(
                    unit: name(), from: status(), to: status(), reason: Bool.random() ? name() : nil, cause: nil,
                    by: Bool.random() ? name() : nil),
                .statusChanged(
                    unit: name(), from: .pending, to: .skipped, reason: nil,
                    cause: FailureCause(root: name(), reason: "exit 1", via: name())),
                .waitBegan(unit: name(), unsatisfied: [name(), name()]),
                .waitEnded(unit: name(), outcome: WaitOutcome.allCases.randomElement(using: &random)!),
                .noted(unit: name(), note: Bool.random() ? name() : nil),
                .readiness(unit: name(), ReadinessReport(checks: ["tcp:1"], attempts: 2, result: nil)),
            ]
            let time = Int64.random(in: -5...Int64(1) << 55, using: &random)
            events.append(
                SyncEvent(
                    sequence: UInt64(sequence), time: Timestamp(microseconds: time),
                    kind: kinds.randomElement(using: &random)!))
        }
        return events
    }

    @Test func agreesWithTheGeneralDecoderOnEveryLineItAccepts() {
        var random = SystemRandomNumberGenerator()
        var accepted = 0
        for event in Self.events(&random) {
            let line = Array(event.json.compact.utf8)
            #expect(Self.general(line) == event)
            if let fast = Self.decode(line) {
                accepted += 1
                #expect(fast == event, "\(event.json.compact)")
            }
        }
        #expect(accepted > 40, "the fast path took only \(accepted) of 400 lines")
    }

    @Test func takesTheLinesTheAgentWritesMostOften() {
        let lines = [
            #"{"seq":1,"time_us":1795699855402320,"kind":"registered","unit":"unit-0"}"#,
            #"{"seq":2,"time_us":7,"kind":"dependency_added","unit":"a","depends_on":"b","required":"completed"}"#,
            #"{"seq":3,"time_us":0,"kind":"status_changed","unit":"a","from":"","to":"pending","reason":null,"cause":null}"#,
            #"{"seq":4,"time_us":-3,"kind":"status_changed","unit":"a","from":"pending","to":"started","reason":null,"cause":null,"by":"t1"}"#,
            #"{"seq":5,"time_us":9,"kind":"status_changed","unit":"a","from":"started","to":"failed","reason":"exit 3","cause":null}"#,
            #"{"seq":6,"time_us":9,"kind":"wait_ended","unit":"a","outcome":"started"}"#,
            #"{"seq":7,"time_us":9,"kind":"noted","unit":"a","note":"half way"}"#,
        ]
        for line in lines.map({ Array($0.utf8) }) {
            let fast = Self.decode(line)
            #expect(fast != nil, "\(String(decoding: line, as: UTF8.self))")
            #expect(fast == Self.general(line))
        }
    }

    /// Damaged lines (a byte changed, cut short, one inserted): whatever the fast path accepts, the general one
    /// reads the same way; the rest it refuses, to be reported by the general path.
    @Test func damagedLinesDecodeAsTheGeneralDecoderSaysOrNotAtAll() {
        var random = SystemRandomNumberGenerator()
        let bytes = Array(#"{}[]":,-0123456789 \aenrtu"#.utf8) + [0, 0x0A, 0x7F, 0xC3, 0xFF]
        for event in Self.events(&random).prefix(200) {
            let line = Array(event.json.compact.utf8)
            for _ in 0..<20 {
                var damaged = line
                let at = Int.random(in: 0..<damaged.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: damaged[at] = bytes.randomElement(using: &random)!
                case 1: damaged.removeSubrange(at...)
                default: damaged.insert(bytes.randomElement(using: &random)!, at: at)
                }
                if let fast = Self.decode(damaged) {
                    #expect(fast == Self.general(damaged), "\(String(decoding: damaged, as: UTF8.self))")
                }
            }
        }
    }

    @Test func leavesOtherFormsToTheGeneralPath() {
        let lines = [
            #"{"seq":1, "time_us":1,"kind":"registered","unit":"a"}"#,  // whitespace
            #"{"time_us":1,"seq":1,"kind":"registered","unit":"a"}"#,  // another order
            #"{"seq":1,"time_us":1,"kind":"registered","unit":"a\u0062"}"#,  // an escape
            #"{"seq":01,"time_us":1,"kind":"registered","unit":"a"}"#,  // not JSON
            #"{"seq":0,"time_us":1,"kind":"registered","unit":"a"}"#,  // sequence 0
            #"{"seq":1,"time_us":-0,"kind":"registered","unit":"a"}"#,
            #"{"seq":1234567890123456789,"time_us":1,"kind":"registered","unit":"a"}"#,
            #"{"seq":1,"time_us":1,"kind":"registered","unit":"a","extra":1}"#,
            #"{"seq":1,"time_us":1,"kind":"registered","unit":"a"} "#,
            #"{"seq":1,"time_us":1,"kind":"status_changed","unit":"a","from":"x","to":"started","reason":null,"cause":null}"#,
        ]
        for line in lines {
            #expect(Self.decode(Array(line.utf8)) == nil, "\(line)")
        }
    }
}
