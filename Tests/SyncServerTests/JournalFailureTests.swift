import Glibc
import Foundation
import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// When the journal cannot be written, the agent acknowledges nothing it could not store: the change is undone and
/// answered `journal_unavailable`, further changes are refused until a write succeeds again, reads keep working,
/// and a restart finds exactly what was acknowledged. (Real full and read-only disks: `EndToEndTests/FaultTests`.)
@Suite("Journal failure")
struct JournalFailureTests {
    private func startAgent(
        _ directory: TemporaryDirectory, log: LogRecorder = LogRecorder(), retry: Duration = .seconds(60)
    ) async throws -> InProcessAgent {
        try await InProcessAgent.start(
            in: directory, journal: directory.file("agent.journal"),
            configure: {
                $0.logger = log.logger(level: .info)
                $0.journalRetryInterval = retry
            })
    }

    private func injectFailures(_ agent: InProcessAgent, count: Int = 1) async throws {
        try await #require(agent.server.journal).injectFailures(ENOSPC, count: count)
    }

    /// Checks that `body` throws `journal_unavailable` mentioning the journal and the errno.
    private func expectUnavailable(
        _ journal: String, containing words: [String] = [], _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("expected journal_unavailable")
        } catch let error as WireError {
            #expect(error.code == .journalUnavailable, "\(error)")
            #expect(error.message.contains(journal), "\(error.message)")
            #expect(error.message.contains("No space left on device (ENOSPC)"), "\(error.message)")
            for word in words { #expect(error.message.contains(word), "\(error.message)") }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aChangeThatCannotBeStoredIsUndoneAndChangesAreRefusedWhileReadsWork() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let log = LogRecorder()
        let agent = try await startAgent(directory, log: log)
        let client = try await agent.client()
        _ = try await client.start("a")
        try await client.complete("a")
        try await client.want("c", dependsOn: ["a"])
        let stored = try await client.snapshot()

        try await injectFailures(agent)
        await expectUnavailable(journal, containing: ["was not stored, so it was undone"]) {
            _ = try await client.start("b")
        }
        // Undone: the graph is what the journal holds.
        #expect(try await client.snapshot() == stored)
        #expect(try await client.status("b").info == nil)
        // Changes are refused up front, with the reason.
        await expectUnavailable(journal, containing: ["refuses changes until it can write its journal again"]) {
            try await client.complete("c")
        }
        await expectUnavailable(journal) { try await client.want("d", dependsOn: ["a"]) }
        await expectUnavailable(journal) { _ = try await client.fail("c", reason: "x") }
        // Reads work, on this connection and on a new one.
        #expect(try await client.list().map(\.name) == ["a", "c"])
        let reader = try await agent.client("reader")
        #expect(try await reader.status("a").info?.status == .completed)
        #expect(try await reader.wait(for: ["a"]) == ["a"])
        #expect(log.count("journal write failed") == 1)
        client.close()
        reader.close()
        await agent.stopKeepingFiles()

        // A restart finds exactly what was acknowledged.
        let again = try await startAgent(directory)
        let after = try await again.client()
        #expect(try await after.snapshot() == stored)
        after.close()
        await again.stop()
    }

    @Test func changesAreAcceptedAgainOnceTheJournalCanBeWritten() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let log = LogRecorder()
        let agent = try await startAgent(directory, log: log, retry: .milliseconds(50))
        let client = try await agent.client()
        _ = try await client.start("a")
        // The append fails, and so do the first two attempts to rewrite the journal.
        try await injectFailures(agent, count: 3)
        await expectUnavailable(journal) { try await client.complete("a") }
        #expect(await log.waitFor("journal written again"))
        try await client.complete("a")
        _ = try await client.start("b")
        #expect(log.count("journal written again") == 1)
        #expect(log.count("journal write failed") == 1)
        let before = try await client.snapshot()
        client.close()
        await agent.stopKeepingFiles()

        let again = try await startAgent(directory)
        let after = try await again.client()
        let restored = try await after.snapshot()
        #expect(restored.units.map(\.status) == [.completed, .started])
        #expect(restored == before)
        after.close()
        await again.stop()
    }

    @Test func aStartReleasedByAnUndoneChangeKeepsWaiting() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let log = LogRecorder()
        let agent = try await startAgent(directory, log: log, retry: .milliseconds(50))
        let control = try await agent.client("control")
        let waiter = try await agent.client("waiter")
        defer { control.close(); waiter.close() }
        try await control.want("x", dependsOn: ["gate"])
        _ = try await control.start("gate")
        let parked = Task { try await waiter.start("x") }
        #expect(await eventually { (try? await control.status("x").info?.waiters) == 1 })

        try await injectFailures(agent)
        await expectUnavailable(journal) { try await control.complete("gate") }
        // The complete was undone, so the start it released waits on, as if nothing happened.
        #expect(try await control.status("gate").info?.status == .started)
        #expect(try await control.status("x").info?.waiters == 1)
        #expect(try await control.status("x").info?.status == .pending)
        #expect(await log.waitFor("journal written again"))
        try await control.complete("gate")
        let started = try await parked.value
        #expect(started.waited)
        #expect(try await control.status("x").info?.status == .started)
        await agent.stop()
    }

    @Test func aStartThatParkedOnAnUndoneChangeIsAnsweredUnavailable() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let agent = try await startAgent(directory)
        let client = try await agent.client()
        defer { client.close() }
        try await client.want("x", dependsOn: ["gate"])
        try await injectFailures(agent)
        // Parking registers a wait, which the journal could not store: the start is undone and answered.
        await expectUnavailable(journal) { _ = try await client.start("x") }
        #expect(try await client.status("x").info?.waiters == 0)
        await agent.stop()
    }

    @Test func subscribersNeverSeeEventsOfUndoneChanges() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = LogRecorder()
        let agent = try await startAgent(directory, log: log, retry: .milliseconds(50))
        let client = try await agent.client()
        let watcher = try await agent.client("watcher")
        defer { client.close(); watcher.close() }
        _ = try await client.start("before")
        var stream = watcher.subscribe().makeAsyncIterator()
        guard case .snapshot(_, let start) = try await stream.next() else {
            Issue.record("expected a snapshot first")
            return
        }
        try await injectFailures(agent)
        await #expect(throws: WireError.self) { _ = try await client.start("undone") }
        #expect(await log.waitFor("journal written again"))
        _ = try await client.start("after")
        let final = try await client.snapshot()
        var mirror = UnitGraph(snapshot: start, clock: { Timestamp() })
        var sequences: [UInt64] = []
        while mirror.nextSequence - 1 < final.sequence, case .event(let event, _) = try await stream.next() {
            #expect(event.unit != "undone")
            sequences.append(event.sequence)
            mirror.replay(event)
        }
        #expect(sequences == Array((start.sequence + 1)...final.sequence))
        #expect(mirror.snapshot == final)
        await agent.stop()
    }

    @Test func manyClientsDuringAFailureGetAnAnswerEach() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = LogRecorder()
        let agent = try await startAgent(directory, log: log, retry: .milliseconds(20))
        let client = try await agent.client()
        defer { client.close() }
        try await injectFailures(agent, count: 2)
        // 200 concurrent starts: each is either acknowledged (and then stored) or refused; none hangs.
        let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for i in 0..<200 {
                group.addTask {
                    do {
                        _ = try await client.start("u\(i)")
                        return ("u\(i)", true)
                    } catch let error as WireError where error.code == .journalUnavailable {
                        return ("u\(i)", false)
                    }
                }
            }
            return try await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 200)
        #expect(outcomes.values.contains(false))
        #expect(await log.waitFor("journal written again"))
        let acknowledged = Set(outcomes.filter(\.value).map(\.key))
        #expect(Set(try await client.list().map(\.name)) == acknowledged)
        client.close()
        await agent.stopKeepingFiles()
        let again = try await startAgent(directory)
        let after = try await again.client()
        #expect(Set(try await after.list().map(\.name)) == acknowledged)
        after.close()
        await again.stop()
    }
}
