import Foundation
import SyncTestSupport
import Testing

/// The journal against real `sync-agent` processes: one agent per journal, and a journal deleted or replaced under
/// a running agent loses nothing it acknowledged, even through kill -9.
@Suite("Journal with agent processes")
struct JournalProcessTests {
    private func startAgent(socket: String, journal: String) throws -> RunningProcess {
        try RunningProcess(Products.path("sync-agent"), ["--socket-path", socket, "--state-file", journal])
    }

    private func syncctl(_ socket: String, _ arguments: String...) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": socket])
    }

    @Test func aSecondAgentOnTheSameJournalExitsAndNamesTheFirst() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("shared.journal")
        let first = try startAgent(socket: directory.file("one.sock"), journal: journal)
        await first.waitForOutput(containing: "agent listening")
        let second = try startAgent(socket: directory.file("two.sock"), journal: journal)
        let result = await second.finish()
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("journal \(journal) is in use by pid \(first.pid)"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("two.sock")))
        // The first agent is untouched by the attempt.
        let started = try await syncctl(directory.file("one.sock"), "start", "git")
        #expect(started.status == 0, "\(started)")
        first.signal(SIGTERM)
        _ = await first.finish()
    }

    @Test(arguments: ["deleted", "replaced"])
    func aJournalDeletedOrReplacedUnderTheAgentLosesNothingThroughKill9(_ how: String) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let socket = directory.socket
        let journal = directory.file("agent.journal")
        let agent = try startAgent(socket: socket, journal: journal)
        await agent.waitForOutput(containing: "agent listening")
        #expect(try await syncctl(socket, "want", "app", "db").status == 0)
        #expect(try await syncctl(socket, "start", "db").status == 0)
        if how == "deleted" {
            #expect(unlink(journal) == 0)
        } else {
            let stranger = directory.file("stranger")
            try "something else\n".write(toFile: stranger, atomically: false, encoding: .utf8)
            #expect(rename(stranger, journal) == 0)
        }
        #expect(try await syncctl(socket, "complete", "db").status == 0)
        #expect(try await syncctl(socket, "start", "app").status == 0)
        #expect(try await syncctl(socket, "fail", "cache", "--reason", "exit 3").status == 0)
        agent.signal(SIGKILL)
        let killed = await agent.finish()
        #expect(killed.stderr.contains("journal was \(how)"), "\(killed)")

        let again = try startAgent(socket: socket, journal: journal)
        await again.waitForOutput(containing: "agent listening")
        let list = try await syncctl(socket, "list")
        let rows = list.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        #expect(rows.contains("db completed"), "\(list)")
        #expect(rows.contains("app started"), "\(list)")
        #expect(rows.contains("cache failed"), "\(list)")
        again.signal(SIGTERM)
        _ = await again.finish()
    }
}
