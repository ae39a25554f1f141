import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// An agent whose shared store deleted the events it needed next (it fell behind the store's retention) reloads the
/// workspace by itself: its parked waits are settled by the new state, its subscribers get it, and it serves
/// changes without a restart. In process, on a ``MemoryWorkspace`` that plays the retention.
@Suite("A shared agent behind the retention")
struct SharedReloadTests {
    @Test(.timeLimit(.minutes(5))) func itReloadsKeepsItsWaitersAndResynchronisesItsSubscribers() async throws {
        let workspace = MemoryWorkspace()
        let stores = (MemorySharedStore(workspace), MemorySharedStore(workspace))
        let first = try await InProcessAgent.start(configure: { $0.store = stores.0 })
        let second = try await InProcessAgent.start(configure: { $0.store = stores.1 })
        var failure: (any Error)?
        do { try await reload(workspace, stores.1, first, second) } catch { failure = error }
        await first.stop()
        await second.stop()
        if let failure { throw failure }
    }

    private func reload(
        _ workspace: MemoryWorkspace, _ store: MemorySharedStore, _ first: InProcessAgent, _ second: InProcessAgent
    ) async throws {
        let writer = try await first.client("writer")
        let waiters = (try await second.client("app"), try await second.client("api"))
        defer {
            writer.close()
            waiters.0.close()
            waiters.1.close()
        }
        try await writer.want("app", dependsOn: ["db"])
        try await writer.want("api", dependsOn: ["broken"])
        let parked = AsyncStream<Void>.makeStream()
        let app = Task { try await waiters.0.start("app") { _ in parked.continuation.yield() } }
        let api = Task { try await waiters.1.start("api") { _ in parked.continuation.yield() } }
        var count = 0
        for await _ in parked.stream {
            count += 1
            if count == 2 { break }
        }
        // Subscribers on the agent that falls behind, written from docs/PROTOCOL.md: versions 3 and 2.
        let current = try RawConnection(path: second.directory.socket)
        let older = try RawConnection(path: second.directory.socket)
        defer {
            current.close()
            older.close()
        }
        for (raw, version) in [(current, 3), (older, 2)] {
            raw.setReadTimeout(30)
            let hello = try await raw.request(#"{"id":0,"type":"hello","version":\#(version)}"#)
            #expect(hello?["ok"] == .bool(true), "\(hello?.compact ?? "nothing")")
            await raw.send(#"{"id":1,"type":"subscribe"}"# + "\n")
            #expect(try await raw.readFrame()?["push"] == "snapshot")
        }
        let behind = try await waiters.0.snapshot().sequence
        // Everything up to two events after the second agent's last is deleted before it reads it.
        workspace.forget(through: behind + 2)
        _ = try await writer.start("db")
        try await writer.complete("db")
        _ = try await writer.fail("broken", reason: "exit 1")

        let started = try await app.value
        #expect(started.unit == "app" && started.waited)
        do {
            _ = try await api.value
            Issue.record("api started although broken failed")
        } catch let error as WireError {
            #expect(error.code == .dependencyFailed, "\(error)")
        }
        #expect(store.reloads >= 1)
        // It serves changes again, and both agents see one graph.
        try await waiters.0.want("web", dependsOn: ["app"])
        let expected = try await writer.snapshot()
        #expect(try await waiters.1.snapshot().units.map(\.status) == expected.units.map(\.status))

        // Version 3: a second snapshot, then the events after it.
        var snapshot: GraphSnapshot?
        while true {
            let frame = try #require(try await current.readFrame())
            #expect(frame["push"] != nil, "\(frame.compact)")
            if frame["push"] == "snapshot" { snapshot = GraphSnapshot(json: frame["snapshot"] ?? .null) }
            if frame["event"]?["unit"] == "web" { break }
        }
        let resynchronised = try #require(snapshot, "no second snapshot")
        #expect(resynchronised.sequence > behind)
        #expect(resynchronised.units.contains { $0.name == "db" })
        // Version 2: the subscription ends with too_slow and where it was; subscribing again gets the snapshot.
        var ended: JSON?
        while ended == nil {
            let frame = try #require(try await older.readFrame())
            #expect(frame["push"] == "event" || frame["ok"] == .bool(false), "\(frame.compact)")
            if frame["ok"] == .bool(false) { ended = frame }
        }
        #expect(ended?["error"]?["code"] == "too_slow")
        let since = try #require(ended?["error"]?["since"]?.int64Value)
        await older.send(#"{"id":2,"type":"subscribe","since":\#(since)}"# + "\n")
        let again = try #require(try await older.readFrame())
        #expect(again["push"] == "snapshot", "\(again.compact)")
    }
}
