import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// Two in-process agents sharing one graph through a ``MemoryWorkspace``: how an agent with a parked `start` reacts to
/// another agent's change (the path of the cross-agent wake).
@Suite("Shared store wake-ups")
struct SharedWakeTests {
    /// Runs `body` with two agents on one in-memory workspace, then stops them.
    private func withTwoAgents(
        _ body: (InProcessAgent, MemorySharedStore, InProcessAgent, MemorySharedStore) async throws -> Void
    ) async throws {
        let workspace = MemoryWorkspace()
        let stores = (MemorySharedStore(workspace), MemorySharedStore(workspace))
        let first = try await InProcessAgent.start(configure: { $0.store = stores.0 })
        let second: InProcessAgent
        do {
            second = try await InProcessAgent.start(configure: { $0.store = stores.1 })
        } catch {
            await first.stop()
            throw error
        }
        var failure: (any Error)?
        do { try await body(first, stores.0, second, stores.1) } catch { failure = error }
        await first.stop()
        await second.stop()
        if let failure { throw failure }
    }

    /// A notification while a start is parked opens a change at once, which reads the other agent's events under the
    /// lock and starts the unit in the same change: no catch-up before it.
    @Test(.timeLimit(.minutes(5))) func aParkedStartIsStartedInTheChangeANotificationOpens() async throws {
        try await withTwoAgents { first, _, second, secondStore in
            let completer = try await first.client("completer")
            let waiter = try await second.client("waiter")
            defer {
                completer.close()
                waiter.close()
            }
            try await completer.want("app", dependsOn: ["db"])
            _ = try await completer.start("db")
            let parked = AsyncStream<Void>.makeStream()
            let start = Task { try await waiter.start("app") { _ in parked.continuation.yield() } }
            for await _ in parked.stream { break }
            let before = (changes: secondStore.changes, catchUps: secondStore.catchUps)
            try await completer.complete("db")
            let started = try await start.value
            #expect(started.unit == "app")
            #expect(secondStore.catchUps == before.catchUps, "the wake caught up before its change")
            #expect(secondStore.changes == before.changes + 1, "the wake took one change")
            #expect(try await completer.status("app").info?.status == .started)
        }
    }

    /// With nothing parked and no subscriber, a notification's catch-up waits a little (a request arriving then is
    /// not held back by it), yet a read right after the other agent's change sees it, and the agent catches up on
    /// its own soon after.
    @Test(.timeLimit(.minutes(5))) func anAgentNothingWaitsOnCatchesUpLaterButReadsSeeTheLatest() async throws {
        try await withTwoAgents { first, _, second, secondStore in
            let completer = try await first.client("completer")
            let reader = try await second.client("reader")
            defer {
                completer.close()
                reader.close()
            }
            try await completer.want("app", dependsOn: ["db"])
            _ = try await completer.start("db")
            let before = (changes: secondStore.changes, catchUps: secondStore.catchUps)
            try await completer.complete("db")
            #expect(try await reader.status("db").info?.status == .completed)
            #expect(secondStore.changes == before.changes, "a notification without parked starts took the lock")
            try await completer.want("web", dependsOn: ["app"])
            let caughtUp = await eventually { secondStore.catchUps >= before.catchUps + 2 }
            #expect(caughtUp, "the agent did not catch up with the later change on its own")
        }
    }
}
