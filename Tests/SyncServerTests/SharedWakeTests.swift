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

    /// Two agents (their notifications carrying their events when `carry`): a client of the first declares `app` on
    /// `db` and starts `db`, a client of the second parks `start app` (with `token`); then `body` gets the first's
    /// client, the parked start, the second's client and store.
    private func withParkedStart(
        carry: Bool, token: String = SyncClient.newToken(),
        _ body: (SyncClient, Task<StartInfo, any Error>, SyncClient, MemorySharedStore) async throws -> Void
    ) async throws {
        try await withTwoAgents { first, _, second, secondStore in
            if carry { secondStore.workspaceForTests.carryEvents() }
            let completer = try await first.client("completer")
            let waiter = try await second.client("waiter")
            defer {
                completer.close()
                waiter.close()
            }
            try await completer.want("app", dependsOn: ["db"])
            _ = try await completer.start("db")
            let parked = AsyncStream<Void>.makeStream()
            let start = Task { try await waiter.start("app", token: token) { _ in parked.continuation.yield() } }
            for await _ in parked.stream { break }
            try await body(completer, start, waiter, secondStore)
        }
    }

    /// A notification while a start is parked opens a change at once, which reads the other agent's events under the
    /// lock and starts the unit in the same change: no catch-up before it.
    @Test(.timeLimit(.minutes(5))) func aParkedStartIsStartedInTheChangeANotificationOpens() async throws {
        try await withParkedStart(carry: false) { completer, start, _, secondStore in
            let before = (changes: secondStore.changes, catchUps: secondStore.catchUps)
            try await completer.complete("db")
            let started = try await start.value
            #expect(started.unit == "app")
            #expect(secondStore.catchUps == before.catchUps, "the wake caught up before its change")
            #expect(secondStore.changes == before.changes + 1, "the wake took one change")
            #expect(try await completer.status("app").info?.status == .started)
        }
    }

    /// Notifications that carry their events: the woken agent applies them without reading the store and stores
    /// the parked start's `started` with one append that needs no change (no lock held across a round trip).
    @Test(.timeLimit(.minutes(5))) func aNotificationsEventsWakeAParkedStartWithOneAppend() async throws {
        try await withParkedStart(carry: true) { completer, start, waiter, secondStore in
            let workspace = secondStore.workspaceForTests
            let before = (
                changes: secondStore.changes, catchUps: secondStore.catchUps, appends: secondStore.appendsIfCurrent
            )
            try await completer.complete("db")
            let started = try await start.value
            #expect(started.unit == "app")
            #expect(started.waited)
            #expect(secondStore.catchUps == before.catchUps, "the wake read the store")
            #expect(secondStore.changes == before.changes, "the wake opened a change")
            #expect(secondStore.appendsIfCurrent == before.appends + 1)
            #expect(try await completer.status("app").info?.status == .started)
            #expect(try await waiter.status("app").info?.status == .started)
            // The log ends with the woken agent's settle: the wait's end, then the start.
            let log = workspace.storedEvents.map(\.summary)
            #expect(log.suffix(2) == ["app wait ended: started", "app: pending -> started"], "\(log)")
        }
    }

    /// Another agent stores events between the notification and the woken agent's append: the append is declined,
    /// nothing of it happened, and the agent settles again on a graph that holds those events: in a change of its own
    /// when their notification did not carry them, else with another append without a change.
    @Test(.timeLimit(.minutes(5)), arguments: [false, true])
    func anAppendDeclinedBecauseAnotherAgentStoredFirstSettlesAgain(carried: Bool) async throws {
        try await withParkedStart(carry: true, token: "mine") { completer, start, waiter, secondStore in
            let workspace = secondStore.workspaceForTests
            let before = (changes: secondStore.changes, appends: secondStore.appendsIfCurrent)
            // What another agent stores first: "cache" registered.
            workspace.interject(carried: carried) { last in
                [SyncEvent(sequence: last + 1, time: Timestamp(microseconds: 5), kind: .registered(unit: "cache"))]
            }
            try await completer.complete("db")
            let started = try await start.value
            #expect(started.unit == "app")
            if carried {
                #expect(secondStore.appendsIfCurrent == before.appends + 2)
                #expect(secondStore.changes == before.changes)
            } else {
                #expect(secondStore.appendsIfCurrent == before.appends + 1)
                #expect(secondStore.changes == before.changes + 1, "the declined append did not fall back to a change")
            }
            #expect(try await waiter.status("app").info?.startedBy == "mine")
            #expect(try await waiter.status("cache").info?.status == .pending)
            // One `started`, after the interjected event; the log numbers follow each other.
            let log = workspace.storedEvents
            #expect(log.filter { $0.summary == "app: pending -> started" }.count == 1)
            #expect(log.map(\.sequence) == Array(1...UInt64(log.count)))
            #expect(try await completer.status("app").info?.status == .started)
        }
    }

    /// Parked starts of one unit on two agents, woken by one notification: both try the append without a change,
    /// exactly one wins; the other's client is told `same status already set`.
    @Test(.timeLimit(.minutes(5))) func twoAgentsWokenForOneUnitStartItOnce() async throws {
        let workspace = MemoryWorkspace()
        workspace.carryEvents()
        let stores = (MemorySharedStore(workspace), MemorySharedStore(workspace), MemorySharedStore(workspace))
        let agents = try await (
            InProcessAgent.start(configure: { $0.store = stores.0 }),
            InProcessAgent.start(configure: { $0.store = stores.1 }),
            InProcessAgent.start(configure: { $0.store = stores.2 })
        )
        var failure: (any Error)?
        do {
            let completer = try await agents.0.client("completer")
            let waiters = try await (agents.1.client("left"), agents.2.client("right"))
            defer {
                completer.close()
                waiters.0.close()
                waiters.1.close()
            }
            try await completer.want("app", dependsOn: ["db"])
            _ = try await completer.start("db")
            let parked = AsyncStream<Void>.makeStream()
            let starts = [waiters.0, waiters.1].map { waiter in
                Task { () -> String in
                    do {
                        return try await waiter.start("app") { _ in parked.continuation.yield() }.unit
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var count = 0
            for await _ in parked.stream {
                count += 1
                if count == 2 { break }
            }
            try await completer.complete("db")
            var results: [String] = []
            for start in starts { results.append(await start.value) }
            #expect(results.filter { $0 == "app" }.count == 1, "\(results)")
            #expect(results.filter { $0.contains("same status already set") }.count == 1, "\(results)")
            let log = workspace.storedEvents
            #expect(log.filter { $0.summary == "app: pending -> started" }.count == 1)
        } catch {
            failure = error
        }
        await agents.0.stop()
        await agents.1.stop()
        await agents.2.stop()
        if let failure { throw failure }
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
