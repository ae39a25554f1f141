import Foundation
import SyncClient
import SyncCore
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

/// The request that `syncctl start` (and complete, want, ping) runs on its main thread alone, facing a scripted
/// agent: it finishes what it can (a reply, the agent's error, a reply it cannot read: the same errors, word for
/// word, as the usual client) and hands back, never waiting for ever, what it cannot: no agent, a refused hello, a
/// connection lost after the request.
@Suite("A request on one thread")
struct SingleThreadRequestTests {
    private static let info = StartInfo(unit: "a", dependencies: ["b"], unsatisfiedAtStart: ["b"], waited: true)

    private static func waiting(_ id: Int64) -> String {
        ServerMessage.push(id, .startWaiting(StartWaiting(unit: "a", dependencies: ["b"], unsatisfied: ["b"])))
            .json.compact
    }

    /// A start of `a` with token `t1` against `agent`.
    private struct Start {
        var single: SingleThreadRequest

        init(_ agent: ScriptedAgent, timeout: Duration?) {
            single = SingleThreadRequest(
                socketPath: agent.socketPath, clientName: "test", timeout: timeout,
                deadlineMessage: "timeout waiting for dependencies of unit 'a'")
        }

        func run(onWaiting: (StartWaiting) -> Void) -> SingleThreadRequest.Outcome {
            single.run({ .start(unit: "a", wait: true, timeoutMs: $0, token: "t1") }) { push in
                if case .startWaiting(let waiting) = push { onWaiting(waiting) }
            }
        }
    }

    private func start(_ agent: ScriptedAgent, timeout: Duration? = .seconds(60)) -> Start {
        Start(agent, timeout: timeout)
    }

    @Test func aParkedStartReportsItsWaitOnceThenItsStart() throws {
        let agent = try ScriptedAgent { id, _ in
            [Self.waiting(id), Self.waiting(id), ServerMessage.ok(id, .start(Self.info)).json.compact]
        }
        defer { agent.stop() }
        var waits: [[String]] = []
        let outcome = start(agent).run { waits.append($0.unsatisfied) }
        guard case .replied(.start(let info)) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(info == Self.info)
        #expect(waits == [["b"], ["b"]])
        // The request the usual client sends: the token that makes a repeat safe, the agent-side timeout.
        let sent = agent.requests.last
        #expect(sent?["type"] == "start")
        #expect(sent?["token"] == "t1")
        #expect(sent?["wait"] == nil)
        #expect((sent?["timeout_ms"]?.int64Value ?? 0) > 59_000)
        #expect(agent.requests.first?["client_version"]?.stringValue == ProtocolVersion.productVersion)
    }

    @Test func theAgentsErrorEndsTheStartAsItIs() throws {
        let agent = try ScriptedAgent { id, _ in
            [ServerMessage.error(id, WireError(.timeout, "timeout waiting for dependencies of unit 'a'")).json.compact]
        }
        defer { agent.stop() }
        guard case .failed(let error) = start(agent).run(onWaiting: { _ in }) else {
            Issue.record("not failed")
            return
        }
        #expect(error.code == .timeout)
        #expect(error.message == "timeout waiting for dependencies of unit 'a'")
    }

    @Test(arguments: [
        (#"{"id":2,"push":"waiting","unit":"a"}"#, "a \"waiting\" push"),
        (#"{"id":2,"ok":true,"result":[]}"#, "a reply"),
    ])
    func aFrameThatCannotBeReadIsBadReplySaidAsTheUsualClientSaysIt(frame: String, what: String) throws {
        let agent = try ScriptedAgent { _, _ in [frame] }
        defer { agent.stop() }
        guard case .failed(let error) = start(agent).run(onWaiting: { _ in }) else {
            Issue.record("not failed")
            return
        }
        #expect(error.code == .badReply)
        #expect(
            error.message.hasPrefix("the agent at \(agent.directory.socket) sent \(what) to start (request 2) that "),
            "\(error.message)")
    }

    @Test func somethingElseOnTheSocketIsBadFrame() throws {
        let agent = try ScriptedAgent { _, _ in ["HTTP/1.1 400 Bad Request"] }
        defer { agent.stop() }
        guard case .failed(let error) = start(agent).run(onWaiting: { _ in }) else {
            Issue.record("not failed")
            return
        }
        #expect(error.code == .badFrame)
        #expect(error.message.contains("is something else listening on the socket?"))
    }

    @Test func aConnectionLostAfterTheRequestIsHandedBackWithTheAgentsInstance() throws {
        let agent = try ScriptedAgent { id, _ in [Self.waiting(id), ScriptedAgent.hangUp] }
        defer { agent.stop() }
        var waited = false
        guard case .lost(let loss) = start(agent).run(onWaiting: { _ in waited = true }) else {
            Issue.record("not lost")
            return
        }
        #expect(waited)
        #expect(loss.instance == "s")
        #expect(loss.error.code == .unreachable)
        #expect(loss.error.message == "lost the connection to the agent at \(agent.directory.socket)")
    }

    @Test func anAgentShuttingDownIsALossToo() throws {
        let agent = try ScriptedAgent { id, _ in
            [ServerMessage.error(id, WireError(.shuttingDown, "the agent is shutting down")).json.compact]
        }
        defer { agent.stop() }
        guard case .lost(let loss) = start(agent).run(onWaiting: { _ in }) else {
            Issue.record("not lost")
            return
        }
        #expect(loss.error.code == .shuttingDown)
        #expect(loss.instance == "s")
    }

    @Test func noAgentOrARefusedHelloSendsNothingAndHandsBack() throws {
        let refusing = try ScriptedAgent(answersHello: false) { id, _ in
            [ServerMessage.error(id, WireError(.unsupportedVersion, "version 2 is not spoken here")).json.compact]
        }
        defer { refusing.stop() }
        guard case .notConnected = start(refusing).run(onWaiting: { _ in }) else {
            Issue.record("a refused hello was not handed back")
            return
        }
        #expect(refusing.requests.map { $0["type"] } == ["hello"])

        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let nobody = SingleThreadRequest(socketPath: SocketPath(path: directory.socket, source: .flag))
        guard case .notConnected = nobody.run({ _ in .ping }) else {
            Issue.record("no agent was not handed back")
            return
        }
    }

    @Test func aPlainRequestGetsItsReplyAndNoTimeout() throws {
        let agent = try ScriptedAgent { id, _ in [ServerMessage.ok(id, .complete).json.compact] }
        defer { agent.stop() }
        var limit: Int64? = -1
        let outcome = SingleThreadRequest(socketPath: agent.socketPath).run { left in
            limit = left
            return .complete(unit: "a")
        }
        guard case .replied(.complete) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(limit == nil)
        #expect(agent.requests.map { $0["type"] } == ["hello", "complete"])
    }

    @Test func anAgentThatNeverAnswersEndsAtTheDeadlineAndItsGrace() throws {
        let agent = try ScriptedAgent { _, _ in [] }
        defer { agent.stop() }
        guard case .failed(let error) = start(agent, timeout: .milliseconds(50)).run(onWaiting: { _ in }) else {
            Issue.record("not failed")
            return
        }
        #expect(error.code == .timeout)
        #expect(error.message == "timeout waiting for dependencies of unit 'a'")
    }
}
