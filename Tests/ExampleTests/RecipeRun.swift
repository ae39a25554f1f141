import Foundation
import Synchronization
import SyncTestSupport
import Testing

@testable import sync_top

/// One run of a recipe of `examples/`: a real `sync-agent` on a private socket, which the recipe's scripts reach
/// through SYNC_AGENT_SOCKET_PATH, the built executables first on PATH, and every process the test starts in a
/// process group of its own, so that ``stop()`` ends whatever a script left running in the background (services).
///
/// The recipes count on syncctl starting an agent when none answers. Most tests start one first all the same, so
/// that what they check is the recipes' order, on an agent they own and stop; ``init(autostart:)`` leaves it to
/// the recipe, as a real workspace does.
final class RecipeRun: Sendable {
    /// The agent the test started; `nil` when the recipe's own `syncctl` calls start one.
    let agent: AgentProcess?
    /// Where the recipe's `syncctl` calls start an agent, when the test started none.
    private let autostart: AutostartDirectory?
    /// A folder for the run's files (a repository, logs), removed with the agent's directory.
    let scratch: String
    /// What every process started here gets in its environment (added to the test's own).
    let environment: [String: String]
    private let leaders = Mutex<[RunningProcess]>([])

    /// - Parameter autostart: start no agent: the first `syncctl` of the recipe that needs one starts it.
    init(autostart: Bool = false) async throws {
        let socket: String
        if autostart {
            let place = AutostartDirectory()
            self.autostart = place
            agent = nil
            socket = place.socket
            scratch = place.directory.file("scratch")
        } else {
            let agent = try await AgentProcess()
            self.agent = agent
            self.autostart = nil
            socket = agent.socket
            scratch = agent.directory.file("scratch")
        }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment = [
            "SYNC_AGENT_SOCKET_PATH": socket, "PATH": "\(Products.directory):\(path)", "HOME": scratch,
        ]
    }

    /// The agents serving the recipe's socket that its `syncctl` calls started (none when the test started one).
    var autostartedAgents: [Int32] { autostart?.agents ?? [] }

    /// Starts `executable` (a script of a recipe runs as it is: its `#!` line and executable bit count) in a
    /// process group of its own, with umask 022.
    func start(_ executable: String, _ arguments: [String] = [], environment extra: [String: String] = [:]) throws
        -> RunningProcess
    {
        let command = Self.masked([executable] + arguments)
        let process = try RunningProcess(
            command[0], Array(command.dropFirst()), environment: environment.merging(extra) { $1 },
            newProcessGroup: true)
        leaders.withLock { $0.append(process) }
        return process
    }

    /// `command` run with umask 022, whatever the test process's is when it starts (a clone checked out under a
    /// stricter one, as when in-process agents set 0177 while they bound, has no executable script).
    static func masked(_ command: [String]) -> [String] {
        ["/bin/sh", "-c", "umask 022 && exec \"$@\"", "sh"] + command
    }

    /// Starts a script of `examples/` (`coder/scripts/git-clone.sh`).
    func script(_ relativePath: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws
        -> RunningProcess
    {
        try start(Examples.path(relativePath), arguments, environment: environment)
    }

    /// Starts a command line as a shell does (`sh -c`), in `directory`.
    func shell(_ command: String, in directory: String, environment: [String: String] = [:]) throws
        -> RunningProcess
    {
        try start("/bin/sh", ["-c", "cd \"$0\" && eval \"$1\"", directory, command], environment: environment)
    }

    /// Runs the built `syncctl` against the agent.
    func syncctl(_ arguments: [String]) async throws -> RunningProcess.Result {
        try await RunningProcess.run(Products.path("syncctl"), arguments, environment: environment)
    }

    func syncctl(_ arguments: String...) async throws -> RunningProcess.Result { try await syncctl(arguments) }

    /// What the agent recorded of every unit.
    func timeline() async throws -> RecipeTimeline {
        let result = try await syncctl("timeline", "-o", "json")
        #expect(result.status == 0, "\(result)")
        return try RecipeTimeline(json: result.stdout)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on (examples/workspace/free-port.py, as the demo uses).
    func freePort() async throws -> String {
        let result = try await RunningProcess.run(
            "/usr/bin/env", ["python3", Examples.path("workspace/free-port.py")], environment: environment)
        #expect(result.status == 0, "\(result)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `url` answers 200 (examples/compose/services/smoke.py).
    func answers(_ url: String) async throws -> Bool {
        let result = try await RunningProcess.run(
            "/usr/bin/env", ["python3", Examples.path("compose/services/smoke.py"), url], environment: environment)
        return result.status == 0
    }

    /// Whether every process of `process`'s group ends within 20 s (a script's background processes, which
    /// nothing can be awaited on).
    func groupEnds(_ process: RunningProcess) async -> Bool {
        await eventually { !Demo.groupAlive(process.pid) }
    }

    /// Ends every process group started here (SIGTERM, then SIGKILL for one still there after 10 s, which is an
    /// issue), checks that no process of them is left, and stops the agent.
    func stop() async {
        let started = leaders.withLock { $0 }
        for process in started { process.signalGroup(SIGTERM) }
        for process in started {
            if await eventually(seconds: 10, { !Demo.groupAlive(process.pid) }) { continue }
            Issue.record("process group \(process.pid) outlived SIGTERM; output:\n\(process.outputSoFar)")
            process.signalGroup(SIGKILL)
        }
        for process in started {
            _ = await process.finish()
            #expect(await eventually(seconds: 10) { !Demo.groupAlive(process.pid) }, "group \(process.pid) is left")
        }
        if let agent { await agent.stop() }
        if let autostart { await autostart.cleanUp() }
    }
}

/// Runs `body` with a fresh ``RecipeRun`` (see ``RecipeRun/init(autostart:)``) and stops it afterwards, whatever
/// happens.
func withRecipe(autostart: Bool = false, _ body: (RecipeRun) async throws -> Void) async throws {
    try await using(try await RecipeRun(autostart: autostart), cleanup: { await $0.stop() }, body)
}
