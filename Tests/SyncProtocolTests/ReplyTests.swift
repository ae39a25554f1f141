import SyncCore
import Testing

@testable import SyncProtocol

/// Every reply the agent sends goes through ``Reply``: encoded, framed, parsed and decoded again it is the same
/// value, with the bytes docs/PROTOCOL.md shows; one that lacks a field or has one of the wrong type is
/// `bad_reply`, never a default.
struct ReplyTests {
    static let unit = UnitInfo(
        name: "claude", status: .skipped, isReady: false, registeredAt: Timestamp(microseconds: 1_795_699_853_193_396),
        since: Timestamp(microseconds: 1_795_699_853_193_400), reason: nil,
        cause: FailureCause(root: "git", reason: "exit 128", via: "repo"), waiters: 1, startedBy: nil)
    static let started = UnitInfo(
        name: "git", status: .started, isReady: true, registeredAt: Timestamp(microseconds: 5),
        since: Timestamp(microseconds: 6), startedBy: "t1")
    static let snapshot = GraphSnapshot(
        sequence: 12, units: [unit, started], edges: [DependencyEdge(unit: "claude", dependsOn: "git")])
    static let events = [
        SyncEvent(sequence: 1, time: Timestamp(microseconds: 10), kind: .registered(unit: "git")),
        SyncEvent(
            sequence: 2, time: Timestamp(microseconds: 11),
            kind: .statusChanged(unit: "git", from: .pending, to: .started, reason: nil, cause: nil, by: "t1")),
        SyncEvent(
            sequence: 3, time: Timestamp(microseconds: 12), kind: .waitBegan(unit: "claude", unsatisfied: ["git"])),
        SyncEvent(sequence: 4, time: Timestamp(microseconds: 13), kind: .waitEnded(unit: "claude", outcome: .timeout)),
        SyncEvent(
            sequence: 5, time: Timestamp(microseconds: 14),
            kind: .dependencyAdded(unit: "claude", dependsOn: "git", required: .completed)),
        SyncEvent(sequence: 6, time: Timestamp(microseconds: 15), kind: .noted(unit: "git", note: "fetching 3/10")),
        SyncEvent(sequence: 7, time: Timestamp(microseconds: 16), kind: .noted(unit: "git", note: nil)),
        SyncEvent(
            sequence: 8, time: Timestamp(microseconds: 17),
            kind: .readiness(unit: "git", ReadinessReport(checks: ["tcp:9"], attempts: 3, result: "timed out"))),
    ]

    /// Each reply with the request it answers and its wire form (after `"result":`).
    static let replies: [(Request.Body, Reply, String?)] = [
        (
            .hello(version: 1, client: nil),
            .hello(HelloInfo(version: 1, agentVersion: "0.1.0", pid: 4242, maxFrameBytes: 1_048_576, instance: "9f3c")),
            #"{"version":1,"agent":"sync-agent","agent_version":"0.1.0","pid":4242,"max_frame_bytes":1048576,"#
                + #""instance":"9f3c"}"#
        ),
        (
            .hello(version: 1, client: nil),
            .hello(
                HelloInfo(
                    version: 1, agentVersion: "0.1.0", pid: 7, maxFrameBytes: 1024, instance: "9f3c",
                    socket: "/run/a.sock", store: "postgres://ci@db:5432/graph", workspace: "staging")),
            #"{"version":1,"agent":"sync-agent","agent_version":"0.1.0","pid":7,"max_frame_bytes":1024,"#
                + #""instance":"9f3c","socket":"/run/a.sock","store":"postgres://ci@db:5432/graph","#
                + #""workspace":"staging"}"#
        ),
        (.ping, .ping, "{}"),
        (
            .want(unit: "claude", dependsOn: ["git"]), .want(unit: "claude", declared: ["git"]),
            #"{"unit":"claude","declared":["git"]}"#
        ),
        (
            .start(unit: "claude", wait: true, timeoutMs: nil),
            .start(StartInfo(unit: "claude", dependencies: ["git"], unsatisfiedAtStart: ["git"], waited: true)),
            #"{"unit":"claude","dependencies":["git"],"unsatisfied_at_start":["git"],"waited":true}"#
        ),
        (.complete(unit: "git"), .complete, "{}"),
        (
            .fail(unit: "git", reason: "x"), .fail(skipped: ["claude", "repo-setup"]),
            #"{"skipped":["claude","repo-setup"]}"#
        ),
        (.fail(unit: "git", reason: nil), .fail(skipped: []), #"{"skipped":[]}"#),
        (.note(unit: "db", text: "migrating 3/10"), .note(kept: "migrating 3/10"), #"{"note":"migrating 3/10"}"#),
        (.note(unit: "db", text: ""), .note(kept: nil), #"{"note":null}"#),
        (.readiness(unit: "db", report: ReadinessReport(checks: [], attempts: 1, result: nil)), .readiness, "{}"),
        (
            .list,
            .list([
                UnitInfo(
                    name: "db", status: .completed, isReady: true, registeredAt: Timestamp(microseconds: 1),
                    since: Timestamp(microseconds: 1_400_003),
                    readiness: UnitReadiness(
                        report: ReadinessReport(
                            checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused"),
                        startedAt: Timestamp(microseconds: 3)))
            ]),
            #"{"units":[{"unit":"db","status":"completed","ready":true,"registered_us":1,"since_us":1400003,"#
                + #""reason":null,"cause":null,"waiters":0,"started_by":null,"#
                + #""readiness":{"checks":["tcp:127.0.0.1:5432"],"#
                + #""attempts":12,"result":"connection refused","started_us":3}}]}"#
        ),
        (
            .list,
            .list([
                UnitInfo(
                    name: "db", status: .started, isReady: true, registeredAt: Timestamp(microseconds: 1),
                    since: Timestamp(microseconds: 2), note: "migrating 3/10")
            ]),
            #"{"units":[{"unit":"db","status":"started","ready":true,"registered_us":1,"since_us":2,"reason":null,"#
                + #""cause":null,"waiters":0,"started_by":null,"note":"migrating 3/10"}]}"#
        ),
        (
            .status(unit: "claude"),
            .status(
                UnitStatusReport(
                    unit: "claude", info: unit, isReady: false,
                    dependencies: [
                        DependencyInfo(unit: "claude", dependsOn: "git", requiredStatus: .completed, currentStatus: nil)
                    ], dependents: ["x"])), nil
        ),
        (
            .status(unit: "nobody"),
            .status(UnitStatusReport(unit: "nobody", info: nil, isReady: true, dependencies: [], dependents: [])),
            #"{"unit":"nobody","status":"","ready":true,"dependencies":[],"dependents":[],"info":null}"#
        ),
        (.list, .list([unit, started]), nil),
        (.list, .list([]), #"{"units":[]}"#),
        (.wait(units: ["a", "b"], all: false, timeoutMs: nil), .wait(units: ["a", "b"]), #"{"units":["a","b"]}"#),
        (.cancel(request: 2), .cancel, "{}"),
        (.snapshot, .snapshot(snapshot), nil),
        (.history, .history(instance: "9f3c", snapshot: snapshot, events: events), nil),
    ]

    @Test func everyRequestWithAReplyIsCovered() {
        let covered = Set(Self.replies.map(\.0.type))
        #expect(covered == Set(Request.Body.knownTypes).subtracting(["subscribe"]))
    }

    @Test func everyReplyRoundTripsThroughItsFrame() throws {
        for (index, (request, reply, wire)) in Self.replies.enumerated() {
            let id = Int64(index)
            let frame = ServerMessage.ok(id, reply).frame
            if let wire { #expect(frame == #"{"id":\#(id),"ok":true,"result":\#(wire)}"# + "\n") }
            let message = try ServerMessage(json: JSON.parse(frame.utf8.dropLast()))
            guard case .reply(id, .success(let result)) = message else {
                Issue.record("not a success reply: \(frame)")
                continue
            }
            #expect(try Reply(json: result, answering: request) == reply, "\(request.type)")
        }
    }

    @Test func theHistoryFrameAroundEncodedEventsIsTheEncodedReply() {
        let fast = Reply.historyFrame(
            id: 7, instance: "9f3c", snapshot: Self.snapshot, events: Self.events.map(\.json.compact))
        #expect(
            fast == ServerMessage.ok(7, .history(instance: "9f3c", snapshot: Self.snapshot, events: Self.events)).frame)
        #expect(
            Reply.historyFrame(
                id: 1, instance: "", snapshot: GraphSnapshot(sequence: 0, units: [], edges: []), events: [])
                == #"{"id":1,"ok":true,"result":{"instance":"","snapshot":{"sequence":0,"units":[],"edges":[]},"events":[]}}"#
                + "\n")
    }

    /// A result that does not decode, for each request, and what the error says.
    @Test(arguments: [
        (
            Request.Body.hello(version: 1, client: nil), #"{"version":1,"pid":1,"max_frame_bytes":1,"instance":"x"}"#,
            #"missing field "agent_version""#
        ),
        (.ping, "[]", "the result must be an object, got array"),
        (
            .want(unit: "a", dependsOn: ["b"]), #"{"unit":"a","declared":"b"}"#,
            #"field "declared" must be an array of strings, got string"#
        ),
        (
            .start(unit: "a", wait: true, timeoutMs: nil), #"{"unit":"a","dependencies":[],"unsatisfied_at_start":[]}"#,
            #"missing field "waited""#
        ),
        (.complete(unit: "a"), "7", "the result must be an object, got number"),
        (.fail(unit: "a", reason: nil), "{}", #"missing field "skipped""#),
        (
            .status(unit: "a"),
            #"{"unit":"a","status":"","ready":true,"dependencies":[{"depends_on":"b","required_status":"done","#
                + #""current_status":"","satisfied":false}],"dependents":[],"info":null}"#,
            #"dependencies[0]: field "required_status" must be one of pending, started, completed, failed, skipped, got "done""#
        ),
        (.list, #"{"units":[{"unit":"a","status":"pending"}]}"#, #"units[0]: missing field "ready""#),
        (.wait(units: ["a"], all: false, timeoutMs: nil), #"{"units":null}"#, #"missing field "units""#),
        (.cancel(request: 1), "null", "the result must be an object, got null"),
        (.snapshot, #"{"sequence":"3","units":[],"edges":[]}"#, #"field "sequence" must be an integer, got string"#),
        (
            .history, #"{"instance":"x","snapshot":{"sequence":0,"units":[],"edges":[]},"events":[{"seq":1}]}"#,
            #"events[0]: missing field "time_us""#
        ),
        (
            .subscribe(since: nil, instance: nil), "{}",
            "a subscription ends only with an error, but the agent replied with success"
        ),
    ])
    func aResultThatDoesNotDecodeIsBadReply(request: Request.Body, result: String, problem: String) throws {
        let json = try JSON.parse(result)
        let error = #expect(throws: WireError.self) { try Reply(json: json, answering: request) }
        #expect(error?.code == .badReply)
        #expect(error?.message == problem)
    }

    /// The history a newer agent sends may hold kinds this client does not know: they are left out, the rest kept.
    @Test func aHistoryLeavesOutEventsOfUnknownKinds() throws {
        let json = try JSON.parse(
            #"{"instance":"x","snapshot":{"sequence":2,"units":[],"edges":[]},"events":["#
                + #"{"seq":1,"time_us":1,"kind":"teleported","unit":"a","to":"mars"},"#
                + #"{"seq":2,"time_us":2,"kind":"registered","unit":"a"}]}"#)
        guard case .history(_, _, let events) = try Reply(json: json, answering: .history) else {
            Issue.record("not a history")
            return
        }
        #expect(events == [SyncEvent(sequence: 2, time: Timestamp(microseconds: 2), kind: .registered(unit: "a"))])
    }

    @Test func fieldsTheClientDoesNotKnowAreIgnored() throws {
        let json = try JSON.parse(#"{"unit":"a","declared":["b"],"new_field":1}"#)
        #expect(
            try Reply(json: json, answering: .want(unit: "a", dependsOn: ["b"])) == .want(unit: "a", declared: ["b"]))
    }
}
