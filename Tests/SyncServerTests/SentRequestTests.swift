import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

/// ``SyncConnection/sendNow(_:)``: a request written from the calling thread at once, its answer awaited later. What
/// `syncctl run --ready` and `ready --when` use to complete a unit from the thread that saw it become ready.
@Suite("A request sent now, answered later", .timeLimit(.minutes(3)))
struct SentRequestTests {
    @Test func theRequestIsCarriedOutBeforeAnyoneAwaitsItsAnswer() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            let observer = try await agent.client()
            defer { observer.close() }
            _ = try await client.start("db")
            let sent = client.connection.sendNow(.complete(unit: "db"))
            // The unit completes although nobody awaits the reply yet: the request left with sendNow (a start of
            // what depends on it is released, whether it came before or after the complete).
            try await observer.want("app", dependsOn: ["db"])
            let released = try await observer.start("app")
            #expect(released.unit == "app")
            #expect(try await observer.status("db").info?.status == .completed)
            // Awaited late, the answer is still there, decoded as the reply to `complete`.
            guard case .complete = try await sent.reply() else {
                Issue.record("the answer is not a complete reply")
                return
            }
        }
    }

    @Test func anErrorOfTheAgentReachesTheAwaitingTask() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            let sent = client.connection.sendNow(.complete(unit: "nobody"))
            let error = await #expect(throws: WireError.self) { _ = try await sent.reply() }
            #expect(error?.code == .notRegistered)
        }
    }

    @Test func aClosedConnectionFailsTheRequestAtOnce() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            client.close()
            // The reader notices the close; a request sent after that is refused without being written.
            _ = await #expect(throws: WireError.self) { try await client.complete("db") }
            let sent = client.connection.sendNow(.complete(unit: "db"))
            let error = await #expect(throws: WireError.self) { _ = try await sent.reply() }
            #expect(error?.code == .unreachable)
        }
    }
}
