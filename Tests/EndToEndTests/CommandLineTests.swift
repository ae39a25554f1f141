import Foundation
import SyncTestSupport
import Testing

/// The command-line cases coder's own tests leave out, and our exit codes, through the built binaries.
@Suite("syncctl beyond coder's goldens")
struct CommandLineTests {
    @Test func startTimesOutWithCodersMessage() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "test-unit", "dep-unit")
            let result = try await agent.syncctl("start", "test-unit", "--timeout", "50ms")
            #expect(result.status == 124)
            #expect(result.stdout == "Unit \"test-unit\" is waiting for dependencies to be satisfied: [dep-unit]\n")
            #expect(result.stderr.hasPrefix("error: timeout waiting for dependencies of unit 'test-unit'\n"))
            let status = try await agent.syncctl("status", "test-unit")
            #expect(status.stdout.contains("Status: pending"))
        }
    }

    @Test func interruptCancelsTheWaitOnTheAgent() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "test-unit", "dep-unit")
            let start = try agent.spawn("start", "test-unit")
            await start.waitForOutput(containing: "is waiting")
            start.signal(SIGINT)
            let result = await start.finish()
            #expect(result.status == 130)
            #expect(result.stderr.contains("the wait of unit 'test-unit' was cancelled on the agent"))
            // Nothing left behind: completing the dependency no longer starts the unit.
            _ = try await agent.syncctl("start", "dep-unit")
            _ = try await agent.syncctl("complete", "dep-unit")
            #expect(try await agent.syncctl("status", "test-unit").stdout.contains("Status: pending"))
        }
    }

    @Test(arguments: [
        (["want", "a", "a"], "cannot add dependency: adding edge (a -> a): cycle detected: a -> a"),
        (["want", "b", "a"], "cannot add dependency: adding edge (b -> a): cycle detected: b -> a -> b"),
    ])
    func cyclesAreRefusedNamingTheLoop(arguments: [String], message: String) async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "a", "b")
            let result = try await RunningProcess.run(
                Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
            #expect(result.status == 1)
            #expect(result.stdout == "")
            #expect(result.stderr == "error: declare dependency failed: \(message)\n")
        }
    }

    @Test func completeOfAnUnregisteredUnit() async throws {
        try await withAgentProcess { agent in
            let result = try await agent.syncctl("complete", "u")
            #expect(result.status == 1)
            #expect(
                result.stderr
                    == "error: complete unit failed: cannot complete unit \"u\": unit \"u\" must be registered first: unit not found\n"
            )
        }
    }

    @Test func completeTwice() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "u")
            #expect(try await agent.syncctl("complete", "u").status == 0)
            let again = try await agent.syncctl("complete", "u")
            #expect(again.status == 1)
            #expect(
                again.stderr
                    == "error: complete unit failed: cannot complete unit \"u\": checking status for unit \"u\": same status already set\n"
            )
        }
    }

    @Test func emptyAndInvalidNames() async throws {
        try await withAgentProcess { agent in
            let empty = try await agent.syncctl("want", "", "d")
            #expect(empty.status == 1)
            #expect(
                empty.stderr
                    == "error: declare dependency failed: cannot add dependency: registering unit \"\": unit name is required\n"
            )
            let emptyDependency = try await agent.syncctl("want", "u", "")
            #expect(emptyDependency.status == 1)
            #expect(emptyDependency.stderr.contains("dependency name cannot be empty: unit name is required"))
            let newline = try await agent.syncctl("start", "a\nb")
            #expect(newline.status == 1)
            #expect(newline.stderr.contains(#"unit name "a\nb" contains control character U+000A"#))
            let long = try await agent.syncctl("start", String(repeating: "x", count: 256))
            #expect(long.status == 1)
            #expect(long.stderr.contains("is 256 bytes long; the limit is 255 bytes"))
        }
    }

    /// coder asks for the status first in both, so both fail with its readiness message; complete and want
    /// keep theirs (above).
    @Test(arguments: [["start", ""], ["status", ""], ["start", "", "--timeout", "1s"]])
    func anEmptyNameFailsAsCodersDoes(arguments: [String]) async throws {
        try await withAgentProcess { agent in
            let result = try await RunningProcess.run(
                Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout == "")
            let message = "get status failed: cannot check readiness: unit ID cannot be empty: unit name is required"
            #expect(result.stderr == "error: \(message)\n")
            let complete = try await agent.syncctl("complete", "")
            let completeMessage =
                "complete unit failed: cannot complete unit \"\": updating status for unit \"\": unit name is required"
            #expect(complete.stderr == "error: \(completeMessage)\n")
            let why = try await agent.syncctl("why", "")
            #expect(why.status == 1, "\(why)")
            #expect(why.stderr == "error: why failed: unit name is required\n")
        }
    }

    /// Negative and out-of-range durations are usage errors (one used to crash, the other to mean "no limit").
    @Test(arguments: [
        ["start", "u", "--timeout=-9999999999h"], ["start", "u", "--timeout=-5s"],
        ["start", "u", "--timeout", "99999999h"],
        ["wait", "u", "--timeout=-1ms"], ["wait", "u", "--timeout=-9999999999h"],
        ["run", "u", "--timeout=-5s", "--", "true"], ["run", "u", "--timeout=1e400h", "--", "true"],
    ])
    func badDurationsAreUsageErrors(arguments: [String]) async throws {
        try await withAgentProcess { agent in
            let result = try await RunningProcess.run(
                Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("is invalid for '--timeout <duration>'"), "\(result)")
            #expect(
                result.stderr.contains("cannot be negative") || result.stderr.contains("the longest duration")
                    || result.stderr.contains("write a duration such as"), "\(result)")
            #expect(try await agent.syncctl("list").stdout == "No units registered\n")
        }
    }

    /// Without --since, watch shows the graph as it is, then what changes: not the whole history first.
    @Test func watchStartsWithTheGraphNowThenNewChanges() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "claude", "git")
            _ = try await agent.syncctl("start", "git")
            let watch = try agent.spawn("watch")
            await watch.waitForOutput(containing: "  git  ")
            _ = try await agent.syncctl("complete", "git")
            await watch.waitForOutput(containing: "git  started -> completed")
            watch.signal(SIGINT)
            let lines = await watch.finish().stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("snapshot at #") == true, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("  git  started since ") }, "\(lines)")
            // Nothing from before the watch began is replayed.
            #expect(!lines.contains { $0.contains("registered") || $0.contains("depends on") }, "\(lines)")
            // --since 0 replays everything the agent holds.
            let replay = try agent.spawn("watch", "--since", "0")
            await replay.waitForOutput(containing: "git  started -> completed")
            replay.signal(SIGINT)
            let replayed = await replay.finish().stdout
            #expect(replayed.contains("claude  depends on git (completed)"), "\(replayed)")
            #expect(!replayed.contains("snapshot at"), "\(replayed)")
        }
    }

    @Test func jsonIsSortedAndEmptyListsAreEmptyArrays() async throws {
        try await withAgentProcess { agent in
            #expect(try await agent.syncctl("list", "-o", "json").stdout == "[]\n")
            for unit in ["zeta", "alpha", "Mid", "beta"] { _ = try await agent.syncctl("start", unit) }
            let list = try await agent.syncctl("list", "-o", "json").stdout
            let names = list.split(separator: "\n").filter { $0.contains("unit_name") }
            #expect(names.map { $0.split(separator: "\"")[3] } == ["Mid", "alpha", "beta", "zeta"])
            let status = try await agent.syncctl("status", "alpha", "-o", "json").stdout
            #expect(status.contains("\"dependencies\": []"))
            _ = try await agent.syncctl("want", "alpha", "z-dep", "a-dep")
            let sorted = try await agent.syncctl("status", "alpha", "-o", "json").stdout
            let aIndex = try #require(sorted.range(of: "a-dep")?.lowerBound)
            let zIndex = try #require(sorted.range(of: "z-dep")?.lowerBound)
            #expect(aIndex < zIndex)
        }
    }

    @Test func concurrentStartsOfOneUnitExactlyOneWins() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "u", "d")
            let first = try agent.spawn("start", "u")
            let second = try agent.spawn("start", "u")
            await first.waitForOutput(containing: "is waiting")
            await second.waitForOutput(containing: "is waiting")
            _ = try await agent.syncctl("start", "d")
            _ = try await agent.syncctl("complete", "d")
            let results = [await first.finish(), await second.finish()]
            #expect(results.map(\.status).sorted() == [0, 1])
            let loser = try #require(results.first { $0.status == 1 })
            #expect(loser.stderr.contains("same status already set"))
        }
    }

    /// While it waits, the process is one thread (the agent's answer wakes that thread and nothing else runs before
    /// it prints and exits: `SingleThreadRequest`).
    @Test func aWaitingStartIsOneThreadAndReturnsAfterTheCompleteWithoutAFixedDelay() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "claude", "git")
            _ = try await agent.syncctl("start", "git")
            let start = try agent.spawn("start", "claude", "--timeout", "0")
            await start.waitForOutput(containing: "is waiting")
            let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(start.pid)/task")
            #expect(threads.count == 1)
            _ = try await agent.syncctl("complete", "git")
            let result = await start.finish()
            #expect(result.status == 0)
            #expect(
                result.stdout == "Unit \"claude\" is waiting for dependencies to be satisfied: [git]\n"
                    + "Unit \"claude\" finished waiting for dependencies: [git]\n", "\(result)")
            #expect(result.stderr.isEmpty, "\(result)")
        }
    }

    @Test func anUnreachableAgentSaysSoAndHowToFixIt() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let result = try await RunningProcess.run(
            Products.path("syncctl"), ["ping", "--socket-path", directory.socket])
        #expect(result.status == 123)
        #expect(
            result.stderr == """
                error: connect to agent socket: connect to socket: dial unix \(directory.socket): connect: no such file or directory
                hint: is the agent running? start it with sync-agent (path from --socket-path)

                """)
    }

    @Test(arguments: [
        ["start"], ["start", "a", "b"], ["want", "a"], ["complete"], ["status"], ["list", "-o", "yaml"],
    ])
    func usageErrorsExitTwo(arguments: [String]) async throws {
        try await withAgentProcess { agent in
            let result = try await RunningProcess.run(
                Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.hasPrefix("error: ") || result.stderr.hasPrefix("Error: "))
        }
    }

    @Test(arguments: ["", "ping", "want", "start", "complete", "status", "list"])
    func everyCommandHasHelp(command: String) async throws {
        let arguments = command.isEmpty ? ["--help"] : [command, "--help"]
        let result = try await RunningProcess.run(Products.path("syncctl"), arguments)
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: syncctl"))
        #expect(result.stdout.contains("--socket-path"))
        if command.isEmpty { #expect(result.stdout.contains("EXIT STATUS:")) }
    }

    @Test func columnsCanBeChosen() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "u", "d")
            let result = try await agent.syncctl("status", "u", "-c", "depends on,satisfied")
            #expect(result.stdout.hasSuffix("DEPENDS ON  SATISFIED  \nd           false      \n"))
            let list = try await agent.syncctl("list", "--column", "unit")
            #expect(list.stdout == "UNIT  \nu     \n")
            let bad = try await agent.syncctl("list", "-c", "colour")
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("unknown column \"colour\""))
        }
    }
}
