import Foundation
import Glibc
import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// `readiness` over the socket: kept with the started unit, streamed as a `readiness` event, journaled (refused
/// while the journal fails) and restored after a restart and a compaction.
@Suite("Readiness reports")
struct ReadinessRequestTests {
    @Test func aReportIsShownByStatusListAndTheStream() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            let watcher = try await agent.client("watcher")
            _ = try await client.start("db")
            let stream = watcher.subscribe()
            var items = stream.makeAsyncIterator()
            guard case .snapshot = try await items.next() else { throw ReadinessTestError.expectedSnapshot }

            try await client.reportReadiness(
                "db", checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused")
            let report = ReadinessReport(checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused")
            #expect(try await client.status("db").info?.readiness?.report == report)
            #expect(try await client.list().map(\.readiness?.report) == [report])
            guard case .event(let event, _) = try await items.next() else { throw ReadinessTestError.expectedEvent }
            #expect(event.kind == .readiness(unit: "db", report))

            // The same report again records nothing: the next event is the completion.
            try await client.reportReadiness(
                "db", checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused")
            try await client.complete("db")
            guard case .event(let completed, _) = try await items.next() else { throw ReadinessTestError.expectedEvent }
            #expect(completed.kind.isStatusChange(to: .completed))
            #expect(try await client.status("db").info?.readiness?.report == report)
            // A retry clears it.
            _ = try await client.start("db")
            #expect(try await client.status("db").info?.readiness == nil)
            client.close()
            watcher.close()
        }
    }

    @Test func aReportOnAnUnknownOrPendingUnitIsRefused() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            do {
                try await client.reportReadiness("nobody", checks: [], attempts: 0, result: nil)
                Issue.record("expected not_registered")
            } catch let error as WireError {
                #expect(error.code == .notRegistered)
                #expect(error.message.hasPrefix(#"cannot report readiness of unit "nobody": unit "nobody" must be"#))
            }
            try await client.want("db", dependsOn: ["disk"])
            do {
                try await client.reportReadiness("db", checks: ["tcp:1"], attempts: 1, result: nil)
                Issue.record("expected not_started")
            } catch let error as WireError {
                #expect(error.code == .notStarted)
                #expect(error.message.contains(#"unit "db" is pending, not started"#))
            }
            #expect(try await client.list().map(\.name) == ["db"])
            client.close()
        }
    }

    @Test func hostileSizesAreRefusedOrCut() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            _ = try await client.start("db")
            let many = (0..<5000).map { "tcp:\($0)" }
            do {
                try await client.reportReadiness("db", checks: many, attempts: 1, result: nil)
                Issue.record("expected bad_request")
            } catch let error as WireError {
                #expect(error.code == .badRequest)
                #expect(
                    error.message
                        == #"field "checks" lists 5000 checks; a readiness report lists at most 1024 "#
                        + "(the ones not passed yet)"
                )
            }
            let huge = String(repeating: "x", count: 500_000)
            try await client.reportReadiness("db", checks: [huge] + many.prefix(100), attempts: 7, result: huge)
            let report = try #require(try await client.status("db").info?.readiness?.report)
            #expect(report.checks.count == UnitGraph.maxReadinessChecks)
            #expect(report.checks.allSatisfy { $0.utf8.count <= UnitGraph.maxNoteBytes })
            #expect(report.checks.last == "… 86 more")
            #expect((report.result?.utf8.count ?? 0) <= UnitGraph.maxNoteBytes)
            client.close()
        }
    }

    @Test func aReportIsRefusedWhileTheJournalFailsAndSurvivesARestartAndACompaction() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let agent = try await InProcessAgent.start(
            in: directory, journal: journal,
            configure: {
                $0.journalRetryInterval = .seconds(3600)
                $0.compactAfterLines = 20
            })
        let client = try await agent.client()
        _ = try await client.start("db")
        _ = try await client.start("web")
        try await client.reportReadiness("db", checks: ["notify"], attempts: 0, result: nil)
        try await client.reportReadiness("web", checks: ["http://127.0.0.1:8000/"], attempts: 3, result: "HTTP 503")
        try await client.complete("web")
        for round in 0..<40 {
            _ = try await client.start("u\(round % 3)")
            try await client.complete("u\(round % 3)")
        }
        try await #require(agent.server.journal).injectFailures(ENOSPC, count: 1)
        await #expect(throws: WireError.self) {
            try await client.reportReadiness("db", checks: ["notify"], attempts: 1, result: nil)
        }
        do {
            try await client.reportReadiness("db", checks: ["notify"], attempts: 2, result: nil)
            Issue.record("expected journal_unavailable")
        } catch let error as WireError {
            #expect(error.code == .journalUnavailable)
        }
        let before = try await client.list()
        client.close()
        await agent.stopKeepingFiles()
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        let snapshotLine = try #require(lines.first { $0.hasPrefix(#"{"snapshot":"#) })
        #expect(snapshotLine.contains(#""readiness":{"checks":["http://127.0.0.1:8000/"],"attempts":3"#))

        let restarted = try await InProcessAgent.start(in: directory, journal: journal)
        let again = try await restarted.client()
        let after = try await again.list()
        #expect(after.map(\.readiness) == before.map(\.readiness))
        #expect(after.first { $0.name == "db" }?.readiness?.report.attempts == 0)
        #expect(after.first { $0.name == "web" }?.readiness?.report.result == "HTTP 503")
        again.close()
        await restarted.stop()
    }
}

extension SyncEvent.Kind {
    fileprivate func isStatusChange(to status: UnitStatus) -> Bool {
        guard case .statusChanged(_, _, let to, _, _, _) = self else { return false }
        return to == status
    }
}

private enum ReadinessTestError: Error {
    case expectedSnapshot, expectedEvent
}
