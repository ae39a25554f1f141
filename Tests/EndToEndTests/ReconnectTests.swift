import Foundation
import SyncTestSupport
import Testing

/// A waiting command whose agent goes away: it keeps its deadline, and an agent that comes back without the old
/// one's state (another `instance`) never starts a unit whose dependencies it does not know.
/// (An agent that comes back with its journal: `RestartTests`.)
@Suite("Reconnecting commands")
struct ReconnectTests {
    /// How the first agent's state is lost before the second one starts.
    enum Loss: String, CaseIterable, Sendable {
        /// Both agents run with --ephemeral.
        case ephemeral
        /// Both use a journal, which is deleted between them.
        case deletedJournal
    }

    /// An agent on `directory`'s socket, with a journal there unless `loss` is ephemeral.
    private func startAgent(_ directory: TemporaryDirectory, _ loss: Loss) async throws -> RunningProcess {
        let state = loss == .ephemeral ? ["--ephemeral"] : ["--state-file", directory.file("agent.journal")]
        let agent = try RunningProcess(Products.path("sync-agent"), ["--socket-path", directory.socket] + state)
        await agent.waitForOutput(containing: "agent listening")
        return agent
    }

    /// Kills `agent` without warning and starts one that lost its state.
    private func replace(_ agent: RunningProcess, _ directory: TemporaryDirectory, _ loss: Loss) async throws
        -> RunningProcess
    {
        agent.signal(SIGKILL)
        _ = await agent.finish()
        if loss == .deletedJournal { unlink(directory.file("agent.journal")) }
        return try await startAgent(directory, loss)
    }

    private func syncctl(_ directory: TemporaryDirectory, _ arguments: String...) async throws
        -> RunningProcess.Result
    {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
    }

    private func spawn(_ directory: TemporaryDirectory, _ arguments: String...) throws -> RunningProcess {
        try RunningProcess(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
    }

    @Test(arguments: Loss.allCases)
    func aParkedStartStopsWhenTheAgentComesBackWithoutItsState(loss: Loss) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try await startAgent(directory, loss)
        _ = try await syncctl(directory, "want", "claude", "git")
        let start = try spawn(directory, "start", "claude", "--timeout", "60s")
        await start.waitForOutput(containing: "is waiting")
        let second = try await replace(first, directory, loss)
        defer { second.signal(SIGTERM) }
        let result = await start.finish()
        #expect(result.status == 123, "\(result)")
        #expect(
            result.stderr.contains("error: the agent restarted without its state; claude's dependencies are unknown"),
            "\(result)")
        #expect(!result.stdout.contains("started"), "\(result)")
        // The new agent never heard of claude: nothing was started there.
        let status = try await syncctl(directory, "status", "claude")
        #expect(status.stdout.contains("Status: not registered"), "\(status)")
    }

    @Test func aParkedWaitStopsWhenTheAgentComesBackWithoutItsState() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try await startAgent(directory, .ephemeral)
        let wait = try spawn(directory, "wait", "git", "--timeout", "60s")
        await wait.waitForOutput(containing: "Waiting for units to complete")
        let second = try await replace(first, directory, .ephemeral)
        defer { second.signal(SIGTERM) }
        let result = await wait.finish()
        #expect(result.status == 123, "\(result)")
        #expect(result.stderr.contains("the agent restarted without its state; whether [git] completed is unknown"))
    }

    /// `run --after` knows what its unit needs: it declares it again on the new agent and keeps waiting.
    @Test func runWithAfterDeclaresItsDependenciesAgainAndWaits() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try await startAgent(directory, .ephemeral)
        let run = try spawn(directory, "run", "claude", "--after", "git", "--timeout", "60s", "--", "echo", "ran")
        await run.waitForOutput(containing: "is waiting")
        let second = try await replace(first, directory, .ephemeral)
        defer { second.signal(SIGTERM) }
        // Nothing to await here: the run reconnects on its own schedule.
        #expect(await eventually { (try? await syncctl(directory, "status", "claude").stdout.contains("git")) == true })
        #expect(try await syncctl(directory, "status", "claude").stdout.contains("Status: pending"))
        _ = try await syncctl(directory, "start", "git")
        _ = try await syncctl(directory, "complete", "git")
        let result = await run.finish()
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "ran\n")
        #expect(try await syncctl(directory, "status", "claude").stdout.contains("Status: completed"))
    }

    /// The deadline holds while the agent is down: no earlier than asked (the backoff used to give up as much as
    /// one backoff step early). The clock starts just before syncctl does, so the bound is one syncctl must meet.
    @Test func aStartKeepsItsWholeTimeoutWhileTheAgentIsDown() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let agent = try await startAgent(directory, .ephemeral)
        _ = try await syncctl(directory, "want", "u", "d")
        let start = try RunningProcess(
            "/bin/sh",
            ["-c", "date +%s%N; exec \"$0\" \"$@\"", Products.path("syncctl"), "start", "u", "--timeout", "2s"],
            environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
        await start.waitForOutput(containing: "is waiting")
        agent.signal(SIGKILL)
        _ = await agent.finish()
        let result = await start.finish()
        let ended = Date().timeIntervalSince1970
        let began = try #require(result.stdout.split(separator: "\n").first.flatMap { Double($0) }) / 1e9
        #expect(result.status == 124, "\(result)")
        #expect(result.stderr.contains("error: timeout waiting for dependencies of unit 'u'"), "\(result)")
        #expect(ended - began >= 2, "gave up after \(ended - began) s")
    }

    /// An agent that is there but does not answer (stopped) cannot hold a start past its deadline either.
    @Test func aStartKeepsItsTimeoutAgainstAStoppedAgent() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let agent = try await startAgent(directory, .ephemeral)
        defer {
            agent.signal(SIGCONT)
            agent.signal(SIGTERM)
        }
        _ = try await syncctl(directory, "want", "u", "d")
        let start = try RunningProcess(
            "/bin/sh",
            ["-c", "date +%s%N; exec \"$0\" \"$@\"", Products.path("syncctl"), "start", "u", "--timeout", "2s"],
            environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
        await start.waitForOutput(containing: "is waiting")
        agent.signal(SIGSTOP)
        // It must end by itself; if it does not within a minute, end it so the test fails instead of hanging.
        let stopper = Task {
            try await Task.sleep(for: .seconds(60))
            start.signal(SIGKILL)
        }
        defer { stopper.cancel() }
        let result = await start.finish()
        let ended = Date().timeIntervalSince1970
        let began = try #require(result.stdout.split(separator: "\n").first.flatMap { Double($0) }) / 1e9
        #expect(result.status == 124, "\(result)")
        #expect(result.stderr.contains("error: timeout waiting for dependencies of unit 'u'"), "\(result)")
        #expect(ended - began >= 2, "gave up after \(ended - began) s")
    }

    /// The command ran while its agent was replaced by one without state: a failure is still reported (`fail`
    /// registers the unit), but a success cannot be, and `run` says so instead of a bare `not registered`.
    @Test(arguments: [("exit 0", Int32(123)), ("exit 3", Int32(3))])
    func runWhoseAgentLostItsStateWhileTheCommandRanSaysWhatWasNotRecorded(ending: String, status: Int32)
        async throws
    {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try await startAgent(directory, .ephemeral)
        let gate = directory.file("gate")
        #expect(mkfifo(gate, 0o600) == 0)
        let script = "echo running >&2; read x < \(gate); \(ending)"
        let run = try spawn(directory, "run", "server", "--", "/bin/sh", "-c", script)
        await run.waitForOutput(containing: "running")
        let second = try await replace(first, directory, .ephemeral)
        defer { second.signal(SIGTERM) }
        let opener = open(gate, O_WRONLY)
        close(opener)
        let result = await run.finish()
        #expect(result.status == status, "\(result)")
        let report = try await syncctl(directory, "status", "server")
        if status == 123 {
            #expect(result.stderr.contains("its completion was not recorded"), "\(result)")
            #expect(!result.stderr.contains("must be registered first"), "\(result)")
            #expect(report.stdout.contains("not registered") || report.status != 0, "\(report)")
        } else {
            #expect(report.stdout.contains("Status: failed"), "\(report)")
        }
    }
}
