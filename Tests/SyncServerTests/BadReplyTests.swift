import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

/// A client facing an agent whose replies or pushes it cannot decode: every request ends with `bad_reply`, saying
/// what was wrong, in reply to which request, and what to do; none waits for ever and none takes a default. (Before
/// the wire was typed, a malformed reply became empty lists, `""` and `0`, and a malformed push of a waiting
/// `start` was passed on with defaults or dropped, the start waiting on.)
@Suite("Replies the client cannot read")
struct BadReplyTests {
    /// Answers every request but hello with a success whose result is an array.
    private static func arrayResult(_ id: Int64, _ request: JSON) -> [String] {
        [#"{"id":\#(id),"ok":true,"result":[]}"#]
    }

    private func expectBadReply(
        _ agent: ScriptedAgent, _ type: String, what: String = "a reply", problem: String,
        _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("\(type): no error")
        } catch let error as WireError {
            #expect(error.code == .badReply, "\(type): \(error)")
            #expect(
                error.message.hasPrefix("the agent at \(agent.directory.socket) sent \(what) to \(type) (request "),
                "\(error.message)")
            #expect(error.message.contains("that test cannot read: \(problem)."), "\(error.message)")
            #expect(
                error.message.hasSuffix(
                    "Check that sync-agent and test are the same version (this is "
                        + "\(ProtocolVersion.productVersion))"), "\(error.message)")
        } catch {
            Issue.record("\(type): unexpected \(error)")
        }
    }

    @Test func aMalformedReplyToEveryRequestIsBadReply() async throws {
        let agent = try ScriptedAgent(answer: Self.arrayResult)
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        let problem = "the result must be an object, got array"
        await expectBadReply(agent, "ping", problem: problem) { try await client.ping() }
        await expectBadReply(agent, "want", problem: problem) { try await client.want("a", dependsOn: ["b"]) }
        await expectBadReply(agent, "start", problem: problem) { _ = try await client.start("a") }
        await expectBadReply(agent, "complete", problem: problem) { try await client.complete("a") }
        await expectBadReply(agent, "fail", problem: problem) { _ = try await client.fail("a", reason: nil) }
        await expectBadReply(agent, "status", problem: problem) { _ = try await client.status("a") }
        await expectBadReply(agent, "list", problem: problem) { _ = try await client.list() }
        await expectBadReply(agent, "wait", problem: problem) { _ = try await client.wait(for: ["a"]) }
        await expectBadReply(agent, "cancel", problem: problem) {
            _ = try await client.connection.request(.cancel(request: 9))
        }
        await expectBadReply(agent, "snapshot", problem: problem) { _ = try await client.snapshot() }
        await expectBadReply(agent, "history", problem: problem) { _ = try await client.history() }
    }

    @Test func aFieldOfTheWrongTypeIsNamed() async throws {
        let agent = try ScriptedAgent { id, _ in
            [#"{"id":\#(id),"ok":true,"result":{"units":[{"unit":"a","status":"pending","ready":"no"}]}}"#]
        }
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        await expectBadReply(agent, "list", problem: #"units[0]: field "ready" must be a boolean, got string"#) {
            _ = try await client.list()
        }
    }

    /// An error reply whose error has no code or message is not turned into a made-up `internal` error.
    @Test func anErrorReplyWithoutCodeIsBadReply() async throws {
        let agent = try ScriptedAgent { id, _ in [#"{"id":\#(id),"ok":false,"error":{"message":"no"}}"#] }
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        let problem = #"an error reply needs a string "code" and "message", got {"message":"no"}"#
        await expectBadReply(agent, "complete", what: "an error reply", problem: problem) {
            try await client.complete("a")
        }
    }

    @Test func aMalformedHelloReplyFailsTheConnection() async throws {
        let agent = try ScriptedAgent(answersHello: false) { id, _ in
            [#"{"id":\#(id),"ok":true,"result":{"version":1}}"#]
        }
        defer { agent.stop() }
        await expectBadReply(agent, "hello", problem: #"missing field "agent_version""#) {
            _ = try await SyncClient.connect(to: agent.socketPath, client: "test", helloTimeout: .seconds(60))
        }
    }

    /// A parked `start` or `wait` whose `waiting` push cannot be read ends at once (the agent sends nothing more
    /// here), and the client tells the agent to drop the request.
    @Test(arguments: ["start", "wait"])
    func aMalformedWaitingPushEndsTheWaitAndCancelsIt(type: String) async throws {
        let agent = try ScriptedAgent { id, request in
            request["type"] == "cancel" ? [] : [#"{"id":\#(id),"push":"waiting","unit":5,"remaining":"a"}"#]
        }
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        let problem =
            type == "start"
            ? #"field "unit" must be a string, got number"#
            : #"field "remaining" must be an array of strings, got string"#
        await expectBadReply(agent, type, what: #"a "waiting" push"#, problem: problem) {
            if type == "start" {
                _ = try await client.start("a") { _ in Issue.record("a waiting push with defaults") }
            } else {
                _ = try await client.wait(for: ["a"]) { _ in Issue.record("a waiting push with defaults") }
            }
        }
        let waited = try #require(agent.requests.first { $0["type"] == .string(type) }?["id"])
        #expect(await eventually { agent.requests.contains { $0["type"] == "cancel" && $0["request"] == waited } })
    }

    @Test func aMalformedEventEndsTheSubscriptionAndTheFollower() async throws {
        let agent = try ScriptedAgent { id, _ in
            [
                #"{"id":\#(id),"push":"snapshot","instance":"s","snapshot":{"sequence":0,"units":[],"edges":[]}}"#,
                #"{"id":\#(id),"push":"event","event":{"seq":1,"time_us":1,"unit":"a","kind":"registered"}}"#,
                #"{"id":\#(id),"push":"event","event":{"seq":2,"unit":"a","kind":"registered"}}"#,
            ]
        }
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        var items: [StreamItem] = []
        await expectBadReply(agent, "subscribe", what: #"a "event" push"#, problem: #"event: missing field "time_us""#)
        {
            for try await item in client.subscribe() { items.append(item) }
        }
        #expect(items.count == 2)
        // Following the stream does not reconnect for ever to get the same again: it ends with the error.
        let follower = StreamFollower(socketPath: agent.socketPath, clientName: "test")
        await expectBadReply(agent, "subscribe", what: #"a "event" push"#, problem: #"event: missing field "time_us""#)
        {
            try await follower.run(since: nil, retryFirstConnection: false) { _ in }
        }
    }
}
