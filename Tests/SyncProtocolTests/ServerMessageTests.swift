import SyncCore
import Testing

@testable import SyncProtocol

struct ServerMessageTests {
    static let cause = FailureCause(root: "a", reason: "exit 128", chain: ["a", "b", "c"])

    @Test(arguments: [
        (ServerMessage.ok(1), #"{"id":1,"ok":true,"result":{}}"#),
        (
            .ok(2, .object([("unit", "app"), ("declared", .strings(["db"]))])),
            #"{"id":2,"ok":true,"result":{"unit":"app","declared":["db"]}}"#
        ),
        (
            .error(3, WireError(.notReady, #"cannot start unit "u": unit not ready"#)),
            #"{"id":3,"ok":false,"error":{"code":"not_ready","message":"cannot start unit \"u\": unit not ready"}}"#
        ),
        (
            .error(
                4,
                WireError(.dependencyFailed, #"c cannot start: a failed ("exit 128"), via a -> b -> c"#, cause: cause)),
            #"{"id":4,"ok":false,"error":{"code":"dependency_failed","#
                + #""message":"c cannot start: a failed (\"exit 128\"), via a -\u003e b -\u003e c","#
                + #""cause":{"root":"a","reason":"exit 128","chain":["a","b","c"]}}}"#
        ),
        (
            .error(nil, WireError(.badFrame, "not JSON")),
            #"{"id":null,"ok":false,"error":{"code":"bad_frame","message":"not JSON"}}"#
        ),
        (
            .push(id: 5, kind: "waiting", fields: [("unit", "app"), ("unsatisfied", .strings(["db", "cache"]))]),
            #"{"id":5,"push":"waiting","unit":"app","unsatisfied":["db","cache"]}"#
        ),
        (.push(id: 6, kind: "event", fields: []), #"{"id":6,"push":"event"}"#),
    ])
    func encodesAndDecodes(message: ServerMessage, text: String) throws {
        #expect(message.json.compact == text)
        #expect(message.frame == text + "\n")
        let decoded = try ServerMessage(json: JSON.parse(text))
        #expect(decoded == message)
        #expect(decoded.id == message.id)
    }

    @Test func decodedErrorCarriesCodeCauseAndRequestID() throws {
        let message = ServerMessage.error(
            4, WireError(.dependencyFailed, "c cannot start", cause: Self.cause))
        let decoded = try ServerMessage(json: JSON.parse(message.frame.utf8.dropLast()))
        guard case .reply(let id, .failure(let error)) = decoded else {
            Issue.record("not an error reply: \(decoded)")
            return
        }
        #expect(id == 4)
        #expect(error == WireError(.dependencyFailed, "c cannot start", cause: Self.cause, requestID: 4))
    }

    @Test func decodingIsLenientAboutWhatItDoesNotNeed() throws {
        #expect(try ServerMessage(json: JSON.parse(#"{"id":1,"ok":true}"#)) == .ok(1))
        let text = #"{"id":2,"ok":false,"error":{"code":"x","message":"m","n":1}}"#
        let extra = try ServerMessage(json: JSON.parse(text))
        #expect(extra == .error(2, WireError(ErrorCode("x"), "m")))
        let cause = try #require(FailureCause(json: JSON.parse(#"{"root":"a","reason":null}"#)))
        #expect(cause == FailureCause(root: "a", reason: nil, chain: ["a"]))
        #expect(FailureCause(json: .object([])) == nil)
    }

    /// An error object without its code or message is not given a made-up one: the caller sees `bad_reply`.
    @Test(arguments: [#"{}"#, #"{"code":"x"}"#, #"{"message":"m"}"#, #"{"code":1,"message":"m"}"#])
    func anErrorWithoutCodeOrMessageIsABadReply(error text: String) throws {
        let message = try ServerMessage(json: JSON.parse(#"{"id":2,"ok":false,"error":"# + text + "}"))
        guard case .reply(2, .failure(let error)) = message else {
            Issue.record("not an error reply: \(message)")
            return
        }
        #expect(error.code == .badReply)
        #expect(error.message == #"an error reply needs a string "code" and "message", got "# + text)
    }

    @Test(arguments: [#"{"id":1}"#, #"{"id":1,"ok":false}"#, #"{"id":1,"ok":"yes"}"#, "[]", #"{"push":"x"}"#])
    func refusesFramesThatAreNeitherReplyNorPush(text: String) throws {
        let json = try JSON.parse(text)
        let error = #expect(throws: WireError.self) { try ServerMessage(json: json) }
        #expect(error?.code == .badFrame)
        #expect(error?.message == "the agent sent a frame that is neither a reply nor a push: \(text)")
    }

    @Test func wireErrorFromACoreError() {
        let core = SyncError(.unitFailed, "b failed", cause: FailureCause(root: "b", reason: nil, chain: ["b"]))
        let wire = WireError(core)
        #expect(wire.code == .unitFailed && wire.message == "b failed" && wire.cause == core.cause)
        #expect(wire.requestID == nil)
        #expect(wire.description == "b failed")
        #expect(
            wire.json.compact
                == #"{"code":"unit_failed","message":"b failed","cause":{"root":"b","reason":null,"chain":["b"]}}"#)
    }
}

struct PayloadTests {
    @Test(arguments: [
        UnitInfo(
            name: "app", status: .pending, isReady: false, registeredAt: Timestamp(microseconds: 1),
            since: Timestamp(microseconds: 2), waiters: 2),
        UnitInfo(
            name: "git", status: .failed, isReady: true, registeredAt: Timestamp(microseconds: 10),
            since: Timestamp(microseconds: 20), reason: "exit 128"),
        UnitInfo(
            name: "claude", status: .skipped, isReady: false, registeredAt: Timestamp(microseconds: -5),
            since: Timestamp(microseconds: 1_795_699_158_123_456),
            cause: FailureCause(root: "git", reason: nil, chain: ["git", "claude"])),
    ])
    func unitInfoRoundTrips(info: UnitInfo) throws {
        #expect(UnitInfo(json: info.json) == info)
        #expect(UnitInfo(json: try JSON.parse(info.json.compact)) == info)
    }

    @Test func unitInfoWireForm() {
        let info = UnitInfo(
            name: "app", status: .started, isReady: true, registeredAt: Timestamp(microseconds: 1),
            since: Timestamp(microseconds: 2))
        #expect(
            info.json.compact
                == #"{"unit":"app","status":"started","ready":true,"registered_us":1,"since_us":2,"reason":null,"#
                + #""cause":null,"waiters":0,"started_by":null}"#)
        #expect(UnitInfo(json: .object([("unit", "x"), ("status", "bogus")])) == nil)
        #expect(UnitInfo(json: .object([("status", "pending")])) == nil)
    }

    @Test func startInfoRoundTrips() throws {
        let info = StartInfo(unit: "app", dependencies: ["a", "b"], unsatisfiedAtStart: ["b"], waited: true)
        #expect(try StartInfo(decoding: info.json) == info)
        #expect(
            info.json.compact
                == #"{"unit":"app","dependencies":["a","b"],"unsatisfied_at_start":["b"],"waited":true}"#)
    }

    @Test func statusReportRoundTrips() throws {
        let report = UnitStatusReport(
            unit: "test-unit",
            info: UnitInfo(
                name: "test-unit", status: .pending, isReady: false, registeredAt: Timestamp(microseconds: 5),
                since: Timestamp(microseconds: 5)),
            isReady: false,
            dependencies: [
                DependencyInfo(
                    unit: "test-unit", dependsOn: "dep-1", requiredStatus: .completed, currentStatus: .completed),
                DependencyInfo(unit: "test-unit", dependsOn: "dep-2", requiredStatus: .completed, currentStatus: nil),
            ],
            dependents: ["top"])
        #expect(try UnitStatusReport(decoding: report.json) == report)
        #expect(report.json["status"] == "pending")
        #expect(
            report.json["dependencies"]?.compact
                == #"[{"depends_on":"dep-1","required_status":"completed","current_status":"completed","#
                + #""satisfied":true},{"depends_on":"dep-2","required_status":"completed","current_status":"","#
                + #""satisfied":false}]"#)
    }

    @Test func statusReportOfAnUnknownUnit() throws {
        let report = UnitStatusReport(unit: "doesnotexist", info: nil, isReady: true, dependencies: [], dependents: [])
        #expect(
            report.json.compact
                == #"{"unit":"doesnotexist","status":"","ready":true,"dependencies":[],"dependents":[],"info":null}"#)
        #expect(try UnitStatusReport(decoding: report.json) == report)
    }

    @Test func helloRoundTrips() throws {
        let hello = HelloInfo(version: 1, agentVersion: "0.1.0", pid: 4242, maxFrameBytes: 1 << 20, instance: "00ff")
        #expect(try HelloInfo(decoding: hello.json) == hello)
        #expect(hello.json["agent"] == "sync-agent")
    }
}
