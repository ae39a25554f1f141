import SyncCore
import Testing

@testable import SyncProtocol

/// Every push the agent sends goes through ``Push``: it round-trips through its frame, keeps the documented bytes,
/// and one that does not decode, or that its request does not have, is `bad_reply`.
struct PushTests {
    static let subscribe = Request.Body.subscribe(since: nil, instance: nil)
    static let start = Request.Body.start(unit: "claude", wait: true, timeoutMs: nil)
    static let wait = Request.Body.wait(units: ["a", "b"], all: false, timeoutMs: nil)
    static let event = SyncEvent(
        sequence: 8, time: Timestamp(microseconds: 1_795_699_855_402_320),
        kind: .statusChanged(
            unit: "claude", from: .pending, to: .skipped, reason: nil,
            cause: FailureCause(root: "git", reason: "exit 128", via: "git"), by: nil))

    static let pushes: [(Request.Body, Push, String)] = [
        (
            start, .startWaiting(StartWaiting(unit: "claude", dependencies: ["git"], unsatisfied: ["git"])),
            #"{"id":2,"push":"waiting","unit":"claude","dependencies":["git"],"unsatisfied":["git"]}"#
        ),
        (wait, .waitWaiting(remaining: ["b"]), #"{"id":2,"push":"waiting","remaining":["b"]}"#),
        (
            subscribe, .snapshot(instance: "9f3c", GraphSnapshot(sequence: 0, units: [], edges: [])),
            #"{"id":2,"push":"snapshot","instance":"9f3c","snapshot":{"sequence":0,"units":[],"edges":[]}}"#
        ),
        (
            subscribe, .event(event),
            #"{"id":2,"push":"event","event":{"seq":8,"time_us":1795699855402320,"kind":"status_changed","#
                + #""unit":"claude","from":"pending","to":"skipped","reason":null,"#
                + #""cause":{"root":"git","reason":"exit 128","via":"git"}}}"#
        ),
    ]

    @Test func everyPushRoundTripsThroughItsFrame() throws {
        for (request, push, wire) in Self.pushes {
            let frame = ServerMessage.push(2, push).frame
            #expect(frame == wire + "\n")
            guard case .push(2, let kind, let fields) = try ServerMessage(json: JSON.parse(wire)) else {
                Issue.record("not a push: \(wire)")
                continue
            }
            #expect(try Push(kind: kind, fields: fields, answering: request) == push)
        }
    }

    @Test func theEventFrameAroundAnEncodedEventIsTheEncodedPush() {
        #expect(
            Push.eventFrame(id: 5, event: Self.event.json.compact) == ServerMessage.push(5, .event(Self.event)).frame)
    }

    @Test(arguments: [
        (start, "waiting", #"{"unit":"claude","dependencies":["git"]}"#, #"missing field "unsatisfied""#),
        (
            start, "waiting", #"{"unit":5,"dependencies":[],"unsatisfied":[]}"#,
            #"field "unit" must be a string, got number"#
        ),
        (wait, "waiting", #"{"remaining":[1]}"#, #"field "remaining" must be an array of strings, got number"#),
        (subscribe, "snapshot", #"{"snapshot":{"sequence":0,"units":[],"edges":[]}}"#, #"missing field "instance""#),
        (
            subscribe, "snapshot", #"{"instance":"x","snapshot":{"sequence":0,"units":[{}],"edges":[]}}"#,
            #"snapshot: units[0]: missing field "unit""#
        ),
        (
            subscribe, "event", #"{"event":{"seq":1,"time_us":1,"unit":"a","kind":"exploded"}}"#,
            #"event: unknown event kind "exploded"; known kinds: registered, dependency_added, status_changed, "#
                + "wait_began, wait_ended, noted"
        ),
        (subscribe, "waiting", #"{"remaining":[]}"#, #"a subscribe request has no push "waiting""#),
        (start, "event", "{}", #"a start request has no push "event""#),
        (Request.Body.status(unit: "a"), "waiting", #"{"remaining":[]}"#, #"a status request has no push "waiting""#),
    ])
    func aPushThatDoesNotDecodeIsBadReply(request: Request.Body, kind: String, fields: String, problem: String) throws {
        guard case .object(let pairs) = try JSON.parse(fields) else {
            Issue.record("not an object: \(fields)")
            return
        }
        let error = #expect(throws: WireError.self) { try Push(kind: kind, fields: pairs, answering: request) }
        #expect(error?.code == .badReply)
        #expect(error?.message == problem)
    }
}
