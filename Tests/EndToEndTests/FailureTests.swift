import Foundation
import SyncTestSupport
import Testing

/// fail, run, why, wait and the exit codes that tell outcomes apart, through the built binaries.
@Suite("Failure reaches every waiter")
struct FailureTests {
    /// Replaces durations (`327ms`, `1.2s`, `1m05s`) with `T` so tree output can be compared.
    private func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: #"\d+(\.\d+)?(ms|s|m\d\ds|h\d\dm)"#, with: "T", options: .regularExpression)
    }

    @Test func aFailureReleasesTheWholeChainAtOnce() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "b", "a")
            _ = try await agent.syncctl("want", "c", "b")
            _ = try await agent.syncctl("start", "a")
            let b = try agent.spawn("start", "b", "--timeout", "0")
            let c = try agent.spawn("start", "c", "--timeout", "0")
            await b.waitForOutput(containing: "is waiting")
            await c.waitForOutput(containing: "is waiting")
            let fail = try await agent.syncctl("fail", "a", "--reason", "exit 128: auth required")
            #expect(
                fail.stdout == "Unit \"a\" marked failed (\"exit 128: auth required\"); skipped because of it: [b, c]\n"
            )
            let (bResult, cResult) = (await b.finish(), await c.finish())
            #expect(bResult.status == 122)
            #expect(bResult.stderr == "error: b cannot start: a failed (\"exit 128: auth required\"), via a -> b\n")
            #expect(cResult.status == 122)
            #expect(
                cResult.stderr == "error: c cannot start: a failed (\"exit 128: auth required\"), via a -> b -> c\n")
            let list = try await agent.syncctl("list")
            #expect(list.stdout.contains("b     skipped"))
            // A start issued after the failure is refused the same way, at once.
            let late = try await agent.syncctl("start", "c", "--timeout", "0")
            #expect(late.status == 122)
            #expect(late.stderr.contains("via a -> b -> c"))
        }
    }

    @Test func aRetryOfTheFailedUnitLetsWaitersProceed() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "claude", "git")
            _ = try await agent.syncctl("fail", "git", "--reason", "flaky network")
            #expect(try await agent.syncctl("start", "claude").status == 122)
            #expect(try await agent.syncctl("start", "git").stdout == "Unit \"git\" started with no dependencies\n")
            let claude = try agent.spawn("start", "claude")
            await claude.waitForOutput(containing: "is waiting")
            _ = try await agent.syncctl("complete", "git")
            let result = await claude.finish()
            #expect(result.status == 0)
            #expect(result.stdout.hasSuffix("Unit \"claude\" finished waiting for dependencies: [git]\n"))
        }
    }

    @Test(arguments: [("exit 0", Int32(0), "completed"), ("exit 3", 3, "failed"), ("kill -KILL $$", 137, "failed")])
    func runPassesTheCommandsStatusThrough(script: String, status: Int32, unitStatus: String) async throws {
        try await withAgentProcess { agent in
            let result = try await agent.syncctl("run", "job", "--", "sh", "-c", "echo ran; \(script)")
            #expect(result.status == status, "\(result)")
            #expect(result.stdout == "ran\n")
            let after = try await agent.syncctl("list", "-o", "json")
            #expect(after.stdout.contains("\"status\": \"\(unitStatus)\""))
            if status == 3 { #expect(result.stderr == "Unit \"job\" failed: exit 3\n") }
            if status == 137 {
                let why = try await agent.syncctl("why", "job")
                #expect(why.stdout.contains("(\"signal KILL\")"))
            }
        }
    }

    @Test func runForwardsSignalsAndRecordsThem() async throws {
        try await withAgentProcess { agent in
            let run = try agent.spawn(
                "run", "server", "--", "sh", "-c",
                "trap 'echo got TERM; exit 143' TERM; echo ready; while :; do sleep 0.05; done")
            await run.waitForOutput(containing: "ready")
            run.signal(SIGTERM)
            let result = await run.finish()
            #expect(result.stdout.contains("got TERM"))
            #expect(result.status == 143)
            #expect(try await agent.syncctl("why", "server").stdout.contains("failed"))
        }
    }

    @Test func runWaitsForItsDependenciesAndPassesItsUnitOn() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "git")
            let run = try agent.spawn("run", "claude", "--after", "git", "--", "sh", "-c", "echo unit=$SYNC_UNIT")
            await run.waitForOutput(containing: "is waiting")
            _ = try await agent.syncctl("complete", "git")
            let result = await run.finish()
            #expect(result.status == 0)
            #expect(result.stdout == "unit=claude\n")
            #expect(result.stderr.contains("Unit \"claude\" finished waiting for dependencies: [git]"))
            #expect(try await agent.syncctl("status", "claude").stdout.contains("Status: completed"))
        }
    }

    @Test func runNeverRunsWhenADependencyAlreadyFailed() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("fail", "git", "--reason", "exit 128")
            let result = try await agent.syncctl("run", "claude", "--after", "git", "--", "sh", "-c", "echo ran")
            #expect(result.status == 122)
            #expect(result.stdout == "")
            #expect(result.stderr == "error: claude cannot start: git failed (\"exit 128\"), via git -> claude\n")
        }
    }

    @Test func runReportsCommandsThatCannotRun() async throws {
        try await withAgentProcess { agent in
            let missing = try await agent.syncctl("run", "a", "--", "no-such-command-here")
            #expect(missing.status == 127)
            #expect(missing.stderr == "error: run failed: command not found: no-such-command-here\n")
            let file = agent.directory.file("not-executable")
            _ = FileManager.default.createFile(atPath: file, contents: Data("echo hi".utf8))
            let denied = try await agent.syncctl("run", "b", "--", file)
            #expect(denied.status == 126)
            #expect(denied.stderr.contains("cannot execute \(file): permission denied"))
            let statuses = try await agent.syncctl("list").stdout
            #expect(statuses.contains("a     failed"))
            #expect(statuses.contains("b     failed"))
        }
    }

    @Test func whyExplainsAThreeLevelGraphWithAMissingDependency() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "claude", "repo-setup", "gti")
            _ = try await agent.syncctl("want", "repo-setup", "git")
            _ = try await agent.syncctl("start", "git")
            _ = try await agent.syncctl("start", "dotfiles")
            let why = try await agent.syncctl("why", "claude")
            #expect(why.status == 0)
            #expect(
                normalized(why.stdout) == """
                    claude: pending for T, waiting for 2 dependencies
                    ├── gti: not registered: nobody has declared it yet (did you mean "git"?)
                    └── repo-setup: pending for T, waiting for 1 dependency
                        └── git: started T ago, running

                    """)
            let json = try await agent.syncctl("why", "claude", "-o", "json")
            #expect(json.stdout.contains("\"suggestion\": \"git\""))
        }
    }

    @Test func waitAllSucceedsOrNamesTheCulprit() async throws {
        try await withAgentProcess { agent in
            #expect(try await agent.syncctl("wait", "--all").stdout == "No units registered\n")
            _ = try await agent.syncctl("start", "a")
            _ = try await agent.syncctl("start", "b")
            let wait = try agent.spawn("wait", "--all")
            await wait.waitForOutput(containing: "Waiting for units to complete: [a, b]")
            _ = try await agent.syncctl("complete", "a")
            _ = try await agent.syncctl("complete", "b")
            let done = await wait.finish()
            #expect(done.status == 0)
            #expect(done.stdout.hasSuffix("Units completed: [a, b]\n"))

            _ = try await agent.syncctl("start", "c")
            let failing = try agent.spawn("wait", "--all")
            await failing.waitForOutput(containing: "Waiting for units to complete: [c]")
            _ = try await agent.syncctl("fail", "c", "--reason", "exit 1")
            let failed = await failing.finish()
            #expect(failed.status == 122)
            #expect(failed.stderr == "error: c failed (\"exit 1\")\n")
        }
    }

    @Test func waitTimesOutNamingWhatIsLeft() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "slow")
            let result = try await agent.syncctl("wait", "slow", "--timeout", "30ms")
            #expect(result.status == 124)
            #expect(result.stderr.hasPrefix("error: timeout waiting for units to complete: slow\n"))
        }
    }
}
