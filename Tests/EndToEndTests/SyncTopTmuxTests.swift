import Foundation
import SyncClient
import SyncTestSupport
import Testing

/// Whether tmux is installed (.ci/run installs it).
private let tmuxAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")

/// The built sync-top in a real terminal (tmux) against a real agent, driven by keys.
@Suite("sync-top in a terminal", .enabled(if: tmuxAvailable, "tmux is not installed"))
struct SyncTopTmuxTests {
    /// A tmux server of its own (`-L`, so tests never touch the user's tmux) with one session running sync-top at
    /// 120x35.
    final class Session: Sendable {
        let name: String

        init(socket: String, environment: String = "") async throws {
            name = "synctop-\(UInt32.random(in: 0...UInt32.max))"
            let command =
                "env SYNC_AGENT_SOCKET_PATH=\(socket) TERM=xterm-256color LANG=C.UTF-8 \(environment) "
                + "\(Products.path("sync-top")); echo EXIT=$?; sleep 30"
            // This call starts the tmux server, which keeps the output it inherits open: send it to /dev/null (pipes
            // would never close) and wait for the client alone.
            let client = try ChildProcess.spawn(
                ["/usr/bin/tmux", "-L", name, "new-session", "-d", "-s", name, "-x", "120", "-y", "35", command],
                environment: [:], output: "/dev/null")
            let started = await client.wait()
            #expect(started == .exited(0))
        }

        func tmux(_ arguments: [String]) async throws -> RunningProcess.Result {
            try await RunningProcess.run("/usr/bin/tmux", ["-L", name] + arguments)
        }

        func screen(colours: Bool = false) async throws -> String {
            try await tmux(["capture-pane", "-p", "-t", name] + (colours ? ["-e"] : [])).stdout
        }

        func keys(_ keys: String...) async throws {
            _ = try await tmux(["send-keys", "-t", name] + keys)
        }

        /// Waits until the screen shows `text`. The terminal cannot signal a redraw, so this looks again every
        /// 50 ms, for at most 30 s (a loaded CI machine is slow; a pass takes well under a second).
        func waitFor(_ text: String) async throws -> String {
            var last = ""
            for _ in 0..<600 {
                last = try await screen()
                if last.contains(text) { return last }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("the screen never showed \(text):\n\(last)")
            return last
        }

        /// Ends the tmux server (and sync-top with it). Each test calls it when done; a test that fails before
        /// leaves a session whose `sleep 30` ends it soon after.
        func close() async {
            _ = try? await tmux(["kill-server"])
        }
    }

    @Test func showsTheLiveGraphAndAnswersKeys() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "claude", "git")
            _ = try await agent.syncctl("start", "git")
            _ = try await agent.syncctl("fail", "db", "--reason", "exit 2")
            let session = try await Session(socket: agent.socket)

            let units = try await session.waitFor("claude")
            #expect(units.contains("● live"))
            #expect(units.contains("✘ db"))
            #expect(units.contains("\"exit 2\""))
            #expect(units.contains("git (started)"))

            // A change on the agent shows up by itself.
            _ = try await agent.syncctl("complete", "git")
            let updated = try await session.waitFor("1 completed")
            #expect(updated.contains("✔ git"))

            try await session.keys("Tab")
            _ = try await session.waitFor("└─ ✔ git")
            try await session.keys("?")
            let help = try await session.waitFor("Esc")
            #expect(help.contains("quit"))
            try await session.keys("Escape", "q")
            _ = try await session.waitFor("EXIT=0")
            await session.close()
        }
    }

    @Test func noColorMeansNoColourEscapes() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("fail", "db", "--reason", "exit 2")
            let session = try await Session(socket: agent.socket, environment: "NO_COLOR=1")
            _ = try await session.waitFor("db")
            let coloured = try await session.screen(colours: true)
            #expect(coloured.range(of: #"\e\[[0-9;]*(3[0-7]|38;5|9[0-7])[;m]"#, options: .regularExpression) == nil)
            #expect(coloured.contains("✘ db"))
            try await session.keys("q")
            _ = try await session.waitFor("EXIT=0")
            await session.close()
        }
    }

    @Test func reconnectsWhenTheAgentRestarts() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        func startAgent() async throws -> RunningProcess {
            let agent = try RunningProcess(Products.path("sync-agent"), ["--socket-path", directory.socket])
            await agent.waitForOutput(containing: "agent listening")
            return agent
        }
        let first = try await startAgent()
        _ = try await RunningProcess.run(
            Products.path("syncctl"), ["start", "git"], environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
        let session = try await Session(socket: directory.socket)
        _ = try await session.waitFor("● git")
        first.signal(SIGTERM)
        _ = await first.finish()
        // "reconnecting since …", or "stale since …" once a few attempts failed.
        let lost = try await session.waitFor(" since ")
        #expect(!lost.contains("● live"))
        let second = try await startAgent()
        _ = try await RunningProcess.run(
            Products.path("syncctl"), ["complete", "git"], environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
        // Back to live, with the journal's state and the change made after the restart.
        let back = try await session.waitFor("✔ git")
        #expect(back.contains("● live"))
        try await session.keys("q")
        _ = try await session.waitFor("EXIT=0")
        await session.close()
        second.signal(SIGTERM)
        _ = await second.finish()
    }

    @Test func aTooSmallTerminalSaysSoAndStillQuits() async throws {
        try await withAgentProcess { agent in
            let session = try await Session(socket: agent.socket)
            _ = try await session.waitFor("live")
            _ = try await session.tmux(["resize-window", "-t", session.name, "-x", "30", "-y", "8"])
            _ = try await session.waitFor("too small")
            try await session.keys("q")
            _ = try await session.waitFor("EXIT=0")
            await session.close()
        }
    }
}
