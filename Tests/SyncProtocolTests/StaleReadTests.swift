import SyncCore
import Testing

@testable import SyncProtocol

/// The `stale` mark of a read answered while the shared store is unreachable, and `changed_by`: both only there
/// when they apply, so every other reply keeps its bytes.
struct StaleReadTests {
    static let mark = StaleRead(
        store: "postgres://ci@db.internal:5432/syncgraph", since: Timestamp(microseconds: 1_795_699_853_193_396))

    @Test func aMarkedReplyEndsWithTheMarkAndAnUnmarkedOneIsTheUsualReply() throws {
        let reply = Reply.list([ReplyTests.started])
        #expect(ServerMessage.ok(3, reply, stale: nil).frame == ServerMessage.ok(3, reply).frame)
        let frame = ServerMessage.ok(3, reply, stale: Self.mark).frame
        #expect(
            frame.hasSuffix(
                #"],"stale":{"store":"postgres://ci@db.internal:5432/syncgraph","since_us":1795699853193396}}}"#
                    + "\n"))
        let message = try ServerMessage(json: JSON.parse(frame.utf8.dropLast()))
        guard case .reply(3, .success(let result)) = message else {
            Issue.record("not a success reply: \(frame)")
            return
        }
        #expect(StaleRead(result: result) == Self.mark)
        // A client that does not know the mark decodes the same reply.
        #expect(try Reply(json: result, answering: .list) == reply)
        #expect(StaleRead(result: ServerMessage.ok(3, reply).json["result"] ?? .null) == nil)
    }

    @Test func theHistoryFrameCarriesTheMarkAsTheEncodedReplyDoes() {
        let history = Reply.history(instance: "9f3c", snapshot: ReplyTests.snapshot, events: ReplyTests.events)
        let fast = Reply.historyFrame(
            id: 7, instance: "9f3c", snapshot: ReplyTests.snapshot, events: ReplyTests.events.map(\.json.compact),
            stale: Self.mark)
        #expect(fast == ServerMessage.ok(7, history, stale: Self.mark).frame)
    }

    @Test func theNoteSaysWhichStoreAndSinceWhen() {
        #expect(
            Self.mark.note
                == "note: the shared store postgres://ci@db.internal:5432/syncgraph is unreachable since 13:30:53 UTC; "
                + "this may be out of date (the agent answered from its last copy of the graph)")
    }

    @Test func changedByIsEncodedLastOnlyWhenKnownAndDecodedBack() throws {
        var unit = ReplyTests.started
        #expect(unit.json["changed_by"] == nil)
        unit.changedBy = "sync-agent pid 42 on build-7"
        let json = unit.json
        guard case .object(let pairs) = json else {
            Issue.record("not an object: \(json.compact)")
            return
        }
        #expect(pairs.last?.0 == "changed_by")
        #expect(UnitInfo(json: try JSON.parse(json.compact)) == unit)
    }
}
