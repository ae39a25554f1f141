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
        (
            subscribe,
            .event(
                SyncEvent(sequence: 3, time: Timestamp(microseconds: 7), kind: .registered(unit: "db")),
                origin: "sync-agent pid 4242 on host-b"),
            #"{"id":2,"push":"event","event":{"seq":3,"time_us":7,"kind":"registered","unit":"db"},"#
                + #""origin":"sync-agent pid 4242 on host-b"}"#
        ),
        (
            subscribe,
            .store(
                StoreReachability(
                    store: "postgres://ci@db:5432/graph", reachable: false, since: Timestamp(microseconds: 9),
                    reason: "connection refused")),
            #"{"id":2,"push":"store","store":"postgres://ci@db:5432/graph","reachable":false,"since_us":9,"#
                + #""reason":"connection refused"}"#
        ),
        (
            subscribe,
            .store(
                StoreReachability(
                    store: "postgres://ci@db:5432/graph", reachable: true, since: Timestamp(microseconds: 10))),
            #"{"id":2,"push":"store","store":"postgres://ci@db:5432/graph","reachable":true,"since_us":10}"#
        ),
    ]

    /// Version 3's pushes are never sent to a subscription of version 1 or 2, whose clients do not know them.
    @Test func theStorePushAndAnEventsOriginAreVersionThree() {
        let store = StoreReachability(store: "s", reachable: true, since: Timestamp(microseconds: 1))
        #expect(ProtocolVersion.introduced(.store(store)) == 3)
        #expect(ProtocolVersion.introduced(.event(Self.event, origin: "o")) == 3)
        #expect(ProtocolVersion.introduced(.event(Self.event)) == 1)
        #expect(ProtocolVersion.current == 3 && ProtocolVersion.supported == [1, 2, 3])
        #expect(StoreReachability(store: "s", reachable: false, since: store.since).staleRead?.since == store.since)
        #expect(store.staleRead == nil)
    }

    @Test func theEventFrameWithAnOriginIsTheEncodedPush() {
        let origin = "sync-agent pid 1 on \"q\""
        #expect(
            Push.eventFrame(id: 5, event: Self.event.json.compact, encodedOrigin: JSON.string(origin).compact)
                == ServerMessage.push(5, .event(Self.event, origin: origin)).frame)
    }

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

    /// Forward compatibility: an event of a kind this build does not know (a newer agent's) is skipped, whatever
    /// fields it has; a known kind is decoded as strictly as ever.
    @Test func anEventOfAnUnknownKindIsSkippedNotBadReply() throws {
        let wire = #"{"event":{"seq":41,"time_us":1,"kind":"exploded","shrapnel":[1,2]}}"#
        guard case .object(let pairs) = try JSON.parse(wire) else { return }
        #expect(
            try Push(kind: "event", fields: pairs, answering: Self.subscribe)
                == .unknownEvent(sequence: 41, kind: "exploded"))
    }

    @Test func aReadinessEventRoundTrips() throws {
        let event = SyncEvent(
            sequence: 9, time: Timestamp(microseconds: 5),
            kind: .readiness(
                unit: "db",
                ReadinessReport(checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused")))
        #expect(
            event.json.compact
                == #"{"seq":9,"time_us":5,"kind":"readiness","unit":"db","checks":["tcp:127.0.0.1:5432"],"#
                + #""attempts":12,"result":"connection refused"}"#)
        guard case .push(_, let kind, let fields) = ServerMessage.push(1, .event(event)) else { return }
        #expect(try Push(kind: kind, fields: fields, answering: Self.subscribe) == .event(event))
        let cleared = SyncEvent(
            sequence: 10, time: Timestamp(microseconds: 6),
            kind: .readiness(unit: "db", ReadinessReport(checks: [], attempts: 0, result: nil)))
        #expect(cleared.json.compact.hasSuffix(#""checks":[],"attempts":0,"result":null}"#))
        #expect(SyncEvent(json: cleared.json) == cleared)
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
            subscribe, "event", #"{"event":{"seq":1,"time_us":1,"unit":"a","kind":"readiness","checks":"x"}}"#,
            #"event: field "checks" must be an array of strings, got string"#
        ),
        (
            subscribe, "event", #"{"event":{"seq":1,"time_us":1,"unit":"a","kind":"readiness","checks":[]}}"#,
            #"event: missing field "attempts""#
        ),
        (subscribe, "event", #"{"event":{"seq":1,"time_us":1,"unit":"a"}}"#, #"event: missing field "kind""#),
        (
            subscribe, "event", #"{"event":{"time_us":1,"unit":"a","kind":"exploded"}}"#,
            #"event: missing field "seq""#
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
