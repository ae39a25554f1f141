import Foundation
import SyncTestSupport
import Testing

/// `syncctl run U --ready CHECK… -- CMD` through the built binaries against a real agent, with real services: the
/// unit completes when its service is ready (releasing its dependents while the service keeps running), and fails
/// when the service dies before, is not ready in time, reports an error, or exits non-zero after. One test at a time:
/// each holds an agent and a service, and together with the rest of the suite they ran the machine out of inotify
/// instances (128 per user).
@Suite("run --ready through the binaries", .serialized, .timeLimit(.minutes(2)))
struct RunReadyEndToEndTests {
    /// A TCP port on 127.0.0.1 that nothing listens on right now (bound to 0 and released).
    private static func freePort() -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(descriptor, $0, length)
                _ = getsockname(descriptor, $0, &length)
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Waits until `run` says its unit is ready; false (with the output recorded) when it ended without.
    private func becameReady(_ run: RunningProcess) async -> Bool {
        await run.waitForOutput(containing: "ready after")
        guard run.outputSoFar.contains("ready after") else {
            Issue.record("never ready:\n\(run.outputSoFar)")
            return false
        }
        return true
    }

    /// Opens the FIFO `gate` for writing and closes it, on a thread of its own: the open blocks until the service
    /// opens it for reading, which must not hold one of the few threads every test shares.
    private func release(_ gate: String) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                close(open(gate, O_WRONLY))
                done.resume()
            }
        }
    }

    private func why(_ agent: AgentProcess, _ unit: String) async throws -> String {
        try await agent.syncctl("why", unit).stdout
    }

    /// systemd's own client from a shell script; a dependent parked in `start` is released while the service runs.
    @Test func systemdNotifyReadyReleasesAParkedDependentWhileTheServiceRuns() async throws {
        try await withAgentProcess { agent in
            #expect(try await agent.syncctl("want", "app", "db").status == 0)
            let app = try agent.spawn("start", "app")
            await app.waitForOutput(containing: "waiting for dependencies")
            let script = "systemd-notify --status='warming up' && systemd-notify --ready && exec sleep 30"
            let run = try agent.spawn("run", "db", "--ready", "notify", "--", "/bin/sh", "-c", script)
            let started = await app.finish()
            #expect(started.status == 0, "\(started)")
            #expect(started.stdout.hasSuffix("Unit \"app\" finished waiting for dependencies: [db]\n"), "\(started)")
            guard await becameReady(run) else { return }
            #expect(try await agent.syncctl("status", "db").stdout.contains("Status: completed\n"))
            #expect(try await why(agent, "db").contains(#"note: "warming up""#))
            run.signal(SIGTERM)
            let result = await run.finish()
            #expect(result.status == 128 + SIGTERM, "\(result)")
            #expect(
                result.stderr.hasPrefix("Unit \"db\" started; waiting until ready: notify\nUnit \"db\" ready after "))
            #expect(result.stderr.hasSuffix(" (notify)\nUnit \"db\" failed: signal TERM after ready\n"), "\(result)")
        }
    }

    /// A hand-written client: STATUS becomes the note, also after ready; an exit 0 after ready keeps it completed.
    @Test func aPythonClientsStatusIsTheUnitsNote() async throws {
        try await withAgentProcess { agent in
            let directory = agent.directory.path
            let gate = "\(directory)/gate"
            #expect(mkfifo(gate, 0o600) == 0)
            let client = """
                import os, socket
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.sendto(b"STATUS=migrating 3/10\\nREADY=1", os.environ["NOTIFY_SOCKET"])
                open("\(gate)").read()
                s.sendto(b"STATUS=serving", os.environ["NOTIFY_SOCKET"])
                """
            let run = try agent.spawn("run", "db", "--ready", "notify", "--", "python3", "-c", client)
            guard await becameReady(run) else { return }
            #expect(try await why(agent, "db").contains(#"note: "migrating 3/10""#))
            await release(gate)
            let result = await run.finish()
            #expect(result.status == 0, "\(result)")
            #expect(try await agent.syncctl("status", "db").stdout.contains("Status: completed\n"))
            #expect(try await why(agent, "db").contains(#"note: "serving""#))
        }
    }

    /// READY=1 after the original timeout but within EXTEND_TIMEOUT_USEC counts.
    @Test func extendTimeoutLetsAReadyAfterTheOriginalTimeoutSucceed() async throws {
        try await withAgentProcess { agent in
            let client = """
                import os, socket, time
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.sendto(b"EXTEND_TIMEOUT_USEC=30000000", os.environ["NOTIFY_SOCKET"])
                time.sleep(6.5)
                s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
                """
            // 6 s leave Python the time to start and extend even on a loaded machine (1.5 s seen at a load of 14);
            // READY comes after them.
            let result = try await agent.syncctl(
                "run", "db", "--ready", "notify", "--ready-timeout", "6s", "--", "python3", "-c", client)
            #expect(result.status == 0, "\(result)")
            #expect(result.stderr.contains("Unit \"db\" ready after "), "\(result)")
            #expect(try await agent.syncctl("status", "db").stdout.contains("Status: completed\n"))
        }
    }

    /// ERRNO= fails the unit at once and the service is stopped.
    @Test func errnoFailsTheUnitAndStopsTheService() async throws {
        try await withAgentProcess { agent in
            let client = """
                import os, socket, time
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.sendto(b"STATUS=cannot open data\\nERRNO=2", os.environ["NOTIFY_SOCKET"])
                time.sleep(30)
                """
            let result = try await agent.syncctl("run", "db", "--ready", "notify", "--", "python3", "-c", client)
            #expect(result.status == 128 + SIGTERM, "\(result)")
            #expect(
                result.stderr.contains("Unit \"db\" failed: service reported ERRNO=2 (no such file or directory)\n"))
            #expect(result.stderr.contains("Unit \"db\": stopping the command (SIGTERM, SIGKILL after 10s)\n"))
            #expect(try await why(agent, "db").contains("service reported ERRNO=2 (no such file or directory)"))
        }
    }

    @Test func httpAgainstPythonsHTTPServer() async throws {
        try await withAgentProcess { agent in
            let port = Self.freePort()
            let run = try agent.spawn(
                "run", "web", "--ready", "http://127.0.0.1:\(port)/", "--", "python3", "-m", "http.server",
                "\(port)", "--bind", "127.0.0.1", "--directory", agent.directory.path)
            guard await becameReady(run) else { return }
            #expect(try await agent.syncctl("status", "web").stdout.contains("Status: completed\n"))
            run.signal(SIGINT)
            let result = await run.finish()
            #expect(result.stderr.contains("Unit \"web\" ready after "), "\(result)")
        }
    }

    @Test func tcpAgainstAPortOpenedLate() async throws {
        try await withAgentProcess { agent in
            let port = Self.freePort()
            let server = """
                import socket, time
                time.sleep(0.3)
                s = socket.socket()
                s.bind(("127.0.0.1", \(port)))
                s.listen()
                time.sleep(30)
                """
            let run = try agent.spawn("run", "db", "--ready", "tcp:\(port)", "--", "python3", "-c", server)
            guard await becameReady(run) else { return }
            #expect(try await agent.syncctl("status", "db").stdout.contains("Status: completed\n"))
            run.signal(SIGTERM)
            let result = await run.finish()
            #expect(result.stderr.hasSuffix("Unit \"db\" failed: signal TERM after ready\n"), "\(result)")
        }
    }

    @Test func aFileCreatedLate() async throws {
        try await withAgentProcess { agent in
            let flag = agent.directory.file("up.flag")
            let gate = agent.directory.file("gate")
            #expect(mkfifo(gate, 0o600) == 0)
            let run = try agent.spawn(
                "run", "svc", "--ready", "file:\(flag)", "--", "/bin/sh", "-c",
                "touch \(flag); read x < \(gate); exit 0")
            guard await becameReady(run) else { return }
            #expect(try await agent.syncctl("status", "svc").stdout.contains("Status: completed\n"))
            await release(gate)
            let result = await run.finish()
            #expect(result.status == 0, "\(result)")
            #expect(result.stderr.hasSuffix(" (file:\(flag))\n"), "\(result)")
        }
    }

    /// The output reaches run's stdout and stderr unchanged, including a last line without a newline, and a line
    /// written in two pieces still matches.
    @Test func logRegexOnALineSplitAcrossWrites() async throws {
        try await withAgentProcess { agent in
            let script = """
                printf 'starting\\r\\nlisten'; sleep 0.2; printf 'ing on 8080\\n'; printf 'to stderr\\n' >&2; \
                printf 'last line'
                """
            let result = try await agent.syncctl(
                "run", "api", "--ready", "log:listening on [0-9]+", "--", "/bin/sh", "-c", script)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "starting\r\nlistening on 8080\nlast line")
            #expect(result.stderr.contains("Unit \"api\" ready after "), "\(result)")
            #expect(result.stderr.contains("\nto stderr\n"), "\(result)")
            #expect(try await agent.syncctl("status", "api").stdout.contains("Status: completed\n"))
        }
    }

    @Test func dyingBeforeReadyFailsTheUnit() async throws {
        try await withAgentProcess { agent in
            let result = try await agent.syncctl("run", "db", "--ready", "tcp:1", "--", "/bin/sh", "-c", "exit 1")
            #expect(result.status == 1, "\(result)")
            #expect(
                result.stderr
                    == "Unit \"db\" started; waiting until ready: tcp:127.0.0.1:1\n"
                    + "Unit \"db\" failed: exited before ready: exit 1\n")
            #expect(try await why(agent, "db").contains("(\"exited before ready: exit 1\")"))
        }
    }

    /// Not ready in time: the unit fails with the last result, and a command that ignores SIGTERM gets SIGKILL.
    @Test func readyTimeoutStopsACommandThatIgnoresTerm() async throws {
        try await withAgentProcess { agent in
            #expect(try await agent.syncctl("want", "app", "db").status == 0)
            let result = try await agent.syncctl(
                "run", "db", "--ready", "tcp:1", "--ready-timeout", "300ms", "--stop-grace", "200ms", "--",
                "/bin/sh", "-c", "trap '' TERM; exec sleep 30")
            #expect(result.status == 124, "\(result)")
            #expect(
                result.stderr
                    == "Unit \"db\" started; waiting until ready: tcp:127.0.0.1:1\n"
                    + "Unit \"db\" failed: not ready after 300ms: tcp 127.0.0.1:1: connection refused\n"
                    + "Unit \"db\": stopping the command (SIGTERM, SIGKILL after 200ms)\n")
            #expect(try await agent.syncctl("status", "app").stdout.contains("Status: skipped\n"))
        }
    }

    /// Exit 3 after ready fails the unit; a dependent still parked (it waits for another unit too) gets the failure.
    @Test func exitNonZeroAfterReadySkipsAPendingDependent() async throws {
        try await withAgentProcess { agent in
            let flag = agent.directory.file("up.flag")
            let gate = agent.directory.file("gate")
            #expect(mkfifo(gate, 0o600) == 0)
            let app = try agent.spawn("run", "app", "--after", "db", "--after", "cache", "--", "true")
            await app.waitForOutput(containing: "waiting for dependencies")
            let run = try agent.spawn(
                "run", "db", "--ready", "file:\(flag)", "--", "/bin/sh", "-c", "touch \(flag); read x < \(gate); exit 3"
            )
            guard await becameReady(run) else { return }
            await release(gate)
            let result = await run.finish()
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr.hasSuffix("Unit \"db\" failed: exit 3 after ready\n"), "\(result)")
            let parked = await app.finish()
            #expect(parked.status == 122, "\(parked)")
            #expect(parked.stderr.contains("exit 3 after ready"), "\(parked)")
            #expect(try await agent.syncctl("status", "app").stdout.contains("Status: skipped\n"))
        }
    }

    @Test(arguments: [
        ["run", "u", "--ready", "tcp:0", "--", "true"], ["run", "u", "--ready-timeout", "1s", "--", "true"],
        ["run", "u", "--ready", "log:(", "--", "true"],
    ])
    func badReadyArgumentsAreUsageErrors(arguments: [String]) async throws {
        try await withAgentProcess { agent in
            let result = try await RunningProcess.run(
                Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": agent.socket])
            #expect(result.status == 2, "\(result)")
            #expect(try await agent.syncctl("list").stdout == "No units registered\n")
        }
    }
}
