import Foundation
import SyncTestSupport
import Testing

/// Commands that change or wait on state start an agent when none answers; read-only ones never do. Through the
/// built binaries, each on a socket of its own; every agent a test starts is stopped at its end. One case at a time:
/// each starts processes, and a burst of them slowed the rest of a loaded full run.
@Suite("the agent starts itself", .serialized)
struct AutostartTests {
    /// Every command that changes or waits on state, with its exit status on a fresh agent (complete and note
    /// need a registered unit: refused, but the agent is started all the same).
    static let changing: [([String], Int32)] = [
        (["want", "a", "b"], 0), (["start", "a"], 0), (["complete", "a"], 1), (["fail", "a"], 0),
        (["note", "a", "text"], 1), (["wait", "--all"], 0), (["run", "a", "--", "true"], 0),
        (["ready", "a", "--when", "cmd:true"], 0),
    ]

    @Test(arguments: changing)
    func aCommandThatChangesStateStartsOneAgentAndSaysSoOnce(arguments: [String], status: Int32) async throws {
        try await withAutostartDirectory { place in
            let first = try await place.syncctl(arguments)
            #expect(first.status == status, "\(first)")
            let agents = place.agents
            #expect(agents.count == 1, "\(agents)")
            let pid = try #require(agents.first)
            #expect(first.stderr.hasPrefix("started sync-agent (pid \(pid)) on \(place.socket)\n"), "\(first)")
            // The next command finds it: no second agent, no second line.
            let second = try await place.syncctl(["want", "x", "y"])
            #expect(second.status == 0, "\(second)")
            #expect(second.stderr == "", "\(second)")
            #expect(place.agents == [pid])
            // It keeps the journal beside the socket, and logs beside it.
            #expect(FileManager.default.fileExists(atPath: place.journal))
            let log = try String(contentsOfFile: place.log, encoding: .utf8)
            #expect(log.contains("agent listening"), "\(log)")
        }
    }

    @Test func aStaleSocketIsReplacedByTheAgentItStarts() async throws {
        try await withAutostartDirectory { place in
            place.makeDirectory()
            try makeStaleSocket(place.socket)
            let result = try await place.syncctl(["want", "a", "b"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stderr.hasPrefix("started sync-agent (pid "), "\(result)")
            #expect(place.agents.count == 1)
            #expect(try await place.syncctl(["ping"]).status == 0)
        }
    }

    /// The socket's directory is checked before anything else: one others may write to is refused, and no agent is
    /// started in it.
    @Test func anUnsafeDirectoryIsRefusedBeforeAnyAgentIsStarted() async throws {
        try await withAutostartDirectory { place in
            place.makeDirectory()
            chmod(place.socketDirectory, 0o777)
            let result = try await place.syncctl(["want", "a", "b"])
            #expect(result.status == 123, "\(result)")
            #expect(
                result.stderr.hasPrefix("error: socket directory \(place.socketDirectory) has mode 777"), "\(result)")
            #expect(place.agents.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: place.log))
        }
    }

    /// Ten scripts at once with no agent: the socket's lock lets one agent serve, every script succeeds, and the
    /// line is printed once, by the script whose agent won.
    @Test func tenScriptsAtOnceLeaveExactlyOneAgent() async throws {
        try await withAutostartDirectory { place in
            let path = Products.directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let scripts = try (0..<10).map { index in
                let script =
                    index % 2 == 0
                    ? "syncctl want unit\(index) base && syncctl start base\(index) && syncctl complete base\(index)"
                    : "syncctl start unit\(index) && syncctl complete unit\(index)"
                return try RunningProcess(
                    "/bin/sh", ["-c", script], environment: ["SYNC_AGENT_SOCKET_PATH": place.socket, "PATH": path])
            }
            var results: [RunningProcess.Result] = []
            for script in scripts { results.append(await script.finish()) }
            for result in results { #expect(result.status == 0, "\(result)") }
            let lines = results.flatMap { $0.stderr.split(separator: "\n") }
            #expect(lines.count == 1, "\(lines)")
            #expect(await place.settles(on: 1), "\(place.agents)")
            let pid = try #require(place.agents.first)
            #expect(lines.first == "started sync-agent (pid \(pid)) on \(place.socket)")
            let list = try await place.syncctl(["list"])
            #expect(list.stdout.split(separator: "\n").count == 1 + 10 + 5, "\(list)")
        }
    }

    static let readOnly: [[String]] = [
        ["status", "a"], ["list"], ["why", "a"], ["ping"], ["graph"], ["timeline"], ["watch"],
    ]

    @Test(arguments: readOnly)
    func readOnlyCommandsDoNotStartOne(arguments: [String]) async throws {
        try await withAutostartDirectory { place in
            let result = try await place.syncctl(arguments)
            #expect(result.status == 123, "\(result)")
            #expect(result.stderr.contains("hint: is the agent running? start it with sync-agent"), "\(result)")
            #expect(!result.stderr.contains("started sync-agent"), "\(result)")
            #expect(place.agents.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: place.socket))
        }
    }

    /// `SYNC_AGENT_AUTOSTART=0` and `--no-autostart` keep the error of before, word for word, on the fast path
    /// (want) and through ArgumentParser (start).
    @Test(arguments: [
        (["want", "a", "b"], ["SYNC_AGENT_AUTOSTART": "0"]), (["want", "a", "b", "--no-autostart"], [:]),
        (["start", "a"], ["SYNC_AGENT_AUTOSTART": "0"]), (["start", "--no-autostart", "a"], [:]),
        (["complete", "a"], ["SYNC_AGENT_AUTOSTART": "off"]),
    ])
    func turnedOffTheErrorIsTodays(arguments: [String], environment: [String: String]) async throws {
        try await withAutostartDirectory { place in
            let result = try await place.syncctl(arguments, environment: environment)
            #expect(result.status == 123, "\(result)")
            #expect(
                result.stderr == """
                    error: connect to agent socket: connect to socket: dial unix \(place.socket): connect: no such file or directory
                    hint: is the agent running? start it with sync-agent (path from SYNC_AGENT_SOCKET_PATH)

                    """)
            #expect(place.agents.isEmpty)
        }
    }

    /// The agent is in a session of its own, with /dev/null and its log for stdio: killing the caller's whole
    /// process group (Ctrl-C, `syncctl run`'s group signals) leaves it serving.
    @Test func theAgentSurvivesItsCallersProcessGroup() async throws {
        try await withAutostartDirectory { place in
            let script = "\(Products.path("syncctl")) want a b && echo declared; exec sleep 600"
            let caller = try RunningProcess(
                "/usr/bin/setsid", ["/bin/sh", "-c", script], environment: ["SYNC_AGENT_SOCKET_PATH": place.socket])
            await caller.waitForOutput(containing: "declared")
            let pid = try #require(place.agents.first)
            #expect(kill(-caller.pid, SIGKILL) == 0)
            _ = await caller.finish()
            #expect(place.agents == [pid])
            let ping = try await place.syncctl(["ping"])
            #expect(ping.status == 0, "\(ping)")
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
            // pgrp and session are the agent's own pid: setsid.
            #expect(fields[2] == "\(pid)" && fields[3] == "\(pid)", "\(fields)")
            let stdio = (0...2).map {
                try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")
            }
            #expect(stdio == ["/dev/null", "/dev/null", place.log], "\(stdio)")
        }
    }

    /// While something holds the socket's lock (an agent starting or stopping), the caller waits for it; when the
    /// lock is let go with nobody serving, it starts an agent once more, and that one serves.
    @Test func aCallerWaitsWhileTheSocketIsLockedThenStartsAnotherAgent() async throws {
        try await withAutostartDirectory { place in
            place.makeDirectory()
            // A shell holds the lock until the caller's first agent has found it taken and said so in the log, then
            // lets go: out of the test process, so its timing does not hang on the test's threads.
            let holder = try RunningProcess(
                "/bin/sh",
                [
                    "-c",
                    "exec 9>\"$1.lock\"; flock -n 9 || exit 1; echo locked; "
                        + "until grep -q 'another agent is listening' \"$2\" 2>/dev/null; do sleep 0.01; done",
                    "holder", place.socket, place.log,
                ])
            await holder.waitForOutput(containing: "locked")
            let caller = try await place.syncctl(["want", "a", "b"])
            #expect(await holder.finish().status == 0)
            #expect(caller.status == 0, "\(caller)")
            let pid = try #require(place.agents.first)
            #expect(caller.stderr == "started sync-agent (pid \(pid)) on \(place.socket)\n", "\(caller)")
        }
    }

    /// A long-lived syncctl (`run` of a service) reaps the agent it started: one that dies meanwhile does not stay
    /// a zombie child of it.
    @Test func aLongLivedCallerReapsTheAgentItStarted() async throws {
        try await withAutostartDirectory { place in
            let run = try RunningProcess(
                Products.path("syncctl"), ["run", "svc", "--", "/bin/sh", "-c", "echo child $$; exec sleep 600"],
                environment: ["SYNC_AGENT_SOCKET_PATH": place.socket])
            await run.waitForOutput(containing: "child ")
            let child = run.outputSoFar.split(separator: "\n").first { $0.hasPrefix("child ") }.flatMap {
                Int32($0.dropFirst(6))
            }
            let agent = try #require(place.agents.first)
            #expect(parent(of: agent) == run.pid)
            kill(agent, SIGKILL)
            // Reaped: its /proc entry goes (a zombie would keep it, state Z, for as long as syncctl lives).
            #expect(await eventually(seconds: 10) { !FileManager.default.fileExists(atPath: "/proc/\(agent)") })
            if let child { kill(child, SIGKILL) }
            run.signal(SIGKILL)
            _ = await run.finish()
        }
    }

    /// The parent pid of `pid`, from /proc.
    private func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return Int32(stat[stat.index(after: close)...].split(separator: " ")[1])
    }

    /// An agent that cannot start (its journal is corrupt) ends the command at once with its error and its log.
    @Test func anAgentThatCannotStartIsReportedWithItsLog() async throws {
        try await withAutostartDirectory { place in
            place.makeDirectory()
            try "this is not a journal\nnor this\n".write(toFile: place.journal, atomically: false, encoding: .utf8)
            let result = try await place.syncctl(["want", "a", "b"])
            #expect(result.status == 123, "\(result)")
            #expect(result.stderr.contains("no agent answers on \(place.socket), and the sync-agent syncctl started"))
            #expect(result.stderr.contains("exited with status 1"), "\(result)")
            #expect(result.stderr.contains("Its log: \(place.log)"), "\(result)")
            #expect(place.agents.isEmpty)
        }
    }

    /// Without sync-agent beside syncctl or on PATH, the error says so and what to do.
    @Test func noAgentExecutableSaysWhereItLooked() async throws {
        try await withAutostartDirectory { place in
            let lonely = place.directory.file("bin")
            #expect(mkdir(lonely, 0o700) == 0)
            let copy = try copyExecutable(Products.path("syncctl"), to: lonely)
            let result = try await RunningProcess.run(
                copy, ["want", "a", "b"], environment: ["SYNC_AGENT_SOCKET_PATH": place.socket, "PATH": "/nowhere"])
            #expect(result.status == 123, "\(result)")
            #expect(
                result.stderr.contains(
                    "sync-agent is neither beside syncctl (\(lonely)/sync-agent) nor on PATH. Install sync-agent "),
                "\(result)")
            #expect(place.agents.isEmpty)
        }
    }
}

/// `sync-agent --log-file` appends its log there instead of stderr; a file it cannot open stops it with exit 1.
@Suite("sync-agent --log-file")
struct LogFileTests {
    @Test func theLogGoesToTheFileAndNotToStderr() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.file("agent.log")
        try "an earlier line\n".write(toFile: log, atomically: false, encoding: .utf8)
        let agent = try RunningProcess(
            Products.path("sync-agent"), ["--socket-path", directory.socket, "--log-file", log])
        let ping = try await eventuallyPing(directory.socket)
        #expect(ping, "the agent never answered")
        agent.signal(SIGTERM)
        let result = await agent.finish()
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr == "", "\(result)")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.hasPrefix("an earlier line\n"), "\(text)")
        #expect(text.contains("agent listening") && text.contains("agent shutting down"), "\(text)")
    }

    @Test func aLogFileThatCannotBeOpenedStopsTheAgent() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let result = try await RunningProcess.run(
            Products.path("sync-agent"), ["--socket-path", directory.socket, "--log-file", directory.file("no/x.log")])
        #expect(result.status == 1, "\(result)")
        #expect(
            result.stderr
                == "sync-agent: error: open log file \(directory.file("no/x.log")): no such file or directory; "
                + "choose another --log-file\n")
    }

    /// Whether `syncctl ping` succeeds on `socket` within 10 s (the agent gives no other sign here: its log goes
    /// to the file).
    private func eventuallyPing(_ socket: String) async throws -> Bool {
        try await eventually(seconds: 10) {
            try await RunningProcess.run(
                Products.path("syncctl"), ["ping"], environment: ["SYNC_AGENT_SOCKET_PATH": socket]
            ).status == 0
        }
    }
}

/// Leaves a socket file at `path` with nobody listening: what an agent killed with SIGKILL leaves.
func makeStaleSocket(_ path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
}

/// Puts an executable into `directory`: a hard link when it can (a copy's exec fails with "Text file busy" while a
/// child spawned by another test during the copy still holds it open), else a copy through close-on-exec
/// descriptors. - Returns: the new path.
func copyExecutable(_ path: String, to directory: String) throws -> String {
    let copy = directory + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
    if link(path, copy) == 0 { return copy }
    let source = open(path, O_RDONLY | O_CLOEXEC)
    let target = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    defer {
        if source >= 0 { close(source) }
        if target >= 0 { close(target) }
    }
    guard source >= 0, target >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let count = read(source, &buffer, buffer.count)
        guard count > 0 else { break }
        guard write(target, buffer, count) == count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
    return copy
}
