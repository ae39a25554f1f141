import Foundation
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

/// The built `sync-agent` started by the real `systemd-socket-activate` (Debian's `systemd` package; `.ci/run`
/// installs it): it serves the socket it is handed, names it, and leaves it to its owner; a `LISTEN_FDS` meant for
/// another process is ignored; a handed socket it cannot serve stops it with the reason.
@Suite("Socket activation through systemd-socket-activate")
struct SocketActivationProcessTests {
    private static let activate = "/usr/bin/systemd-socket-activate"

    /// `systemd-socket-activate ARGUMENTS sync-agent AGENT_ARGUMENTS`, once it listens (it starts the agent at the
    /// first connection).
    private func activated(_ arguments: [String], agent: [String] = []) async throws -> RunningProcess {
        let process = try RunningProcess(Self.activate, arguments + [Products.path("sync-agent")] + agent)
        await process.waitForOutput(containing: "Listening on")
        return process
    }

    /// A `syncctl ping` on `socket` (it succeeds), then SIGTERM (the agent exits 0). - Returns: what the agent left.
    private func pingThenStop(_ process: RunningProcess, at socket: String) async throws -> RunningProcess.Result {
        let ping = try await RunningProcess.run(
            Products.path("syncctl"), ["ping"], environment: ["SYNC_AGENT_SOCKET_PATH": socket])
        #expect(ping.status == 0, "\(ping)")
        process.signal(SIGTERM)
        let result = await process.finish()
        #expect(result.status == 0, "\(result)")
        return result
    }

    @Test func theAgentServesTheHandedSocketNamesItAndLeavesIt() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let socket = directory.socket
        let environment = ["SYNC_AGENT_SOCKET_PATH": socket]
        // systemd-socket-activate passes its child only the variables given with -E.
        let process = try await activated(
            ["-l", socket, "-E", "SYNC_AGENT_SOCKET_PATH=\(socket)"], agent: ["--log-level", "debug"])
        let syncctl = Products.path("syncctl")
        // The first connection starts the agent; it waits in the socket's backlog meanwhile.
        let want = try await RunningProcess.run(syncctl, ["want", "web", "db"], environment: environment)
        #expect(want.status == 0, "\(want)")
        let web = try RunningProcess(syncctl, ["start", "web"], environment: environment)
        await web.waitForOutput(containing: "is waiting")
        #expect(try await RunningProcess.run(syncctl, ["start", "db"], environment: environment).status == 0)
        #expect(try await RunningProcess.run(syncctl, ["complete", "db"], environment: environment).status == 0)
        let started = await web.finish()
        #expect(started.status == 0, "\(started)")
        #expect(try await RunningProcess.run(syncctl, ["complete", "web"], environment: environment).status == 0)
        let log = process.outputSoFar
        #expect(
            log.contains("sync-agent: socket=\(socket) source=socket activation [SyncServer] agent listening"), "\(log)"
        )
        #expect(
            log.contains(
                "sync-agent: client=syncctl client version=0.1.0 connection=1 version=\(ProtocolVersion.current) "
                    + "[SyncServer] hello"))
        // Clients of this environment look where the agent serves: no warning that they would not find it.
        #expect(!log.contains("not where clients"))
        // systemd-socket-activate exec'd the agent (same pid), which marked the handed descriptor close-on-exec.
        let fdinfo = try String(contentsOfFile: "/proc/\(process.pid)/fdinfo/3", encoding: .utf8)
        let flags = try #require(
            fdinfo.split(separator: "\n").first { $0.hasPrefix("flags:") }?.split(separator: "\t").last)
        #expect(Int(flags, radix: 8).map { $0 & Int(O_CLOEXEC) != 0 } == true, "\(fdinfo)")
        // The journal's default is beside the handed socket.
        #expect(FileManager.default.fileExists(atPath: directory.file("s.journal")))
        process.signal(SIGTERM)
        let result = await process.finish()
        #expect(result.status == 0, "\(result)")
        var info = stat()
        #expect(lstat(socket, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK, "the handed socket was removed")
    }

    /// Served, but clients that resolve the socket path as usual would look elsewhere: the log says so.
    @Test func aHandedSocketWhereClientsDoNotLookIsNoted() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let process = try await activated(["-l", directory.socket])
        let result = try await pingThenStop(process, at: directory.socket)
        #expect(
            result.stderr.contains(
                "notice sync-agent: clients look at=\(SocketPath.resolve(environment: { _ in nil }).path) "
                    + "from=default socket=\(directory.socket) [sync_agent] the socket handed by socket activation is "
                    + "not where clients of this environment look"), "\(result)")
    }

    @Test func listenFDsForAnotherProcessAreIgnored() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let process = try RunningProcess(
            Products.path("sync-agent"), ["--socket-path", directory.socket],
            environment: ["LISTEN_FDS": "1", "LISTEN_PID": "1"])
        await process.waitForOutput(containing: "agent listening")
        let result = try await pingThenStop(process, at: directory.socket)
        #expect(result.stderr.contains("socket activation ignored: LISTEN_PID 1 is not this process"), "\(result)")
        #expect(result.stderr.contains("source=--socket-path"))
        // It bound the socket itself, so it removed it.
        #expect(!FileManager.default.fileExists(atPath: directory.socket))
    }

    @Test func twoHandedSocketsAreRefused() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let process = try await activated(
            ["-l", directory.file("a"), "-l", directory.file("b"), "--fdname=first:second"])
        _ = try? await RunningProcess.run(
            Products.path("syncctl"), ["ping"], environment: ["SYNC_AGENT_SOCKET_PATH": directory.file("a")])
        let result = await process.finish()
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "sync-agent: error: socket activation handed 2 sockets (first, second); sync-agent serves exactly "
                    + "one: give its .socket unit a single ListenStream= (or systemd-socket-activate a single -l)\n"),
            "\(result)")
    }

    @Test func aHandedDatagramSocketIsRefused() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let process = try await activated(["--datagram", "-l", directory.socket])
        #expect(TestSocket.sendDatagram(to: directory.socket))
        let result = await process.finish()
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "sync-agent: error: descriptor 3, handed by socket activation (LISTEN_FDS=1), is a datagram socket, "
                    + "not a stream socket; give sync-agent's .socket unit one ListenStream=/path "
                    + "(systemd-socket-activate: -l /path)\n"),
            "\(result)")
    }

    @Test func aHandedDescriptorThatIsNoSocketIsRefused() async throws {
        // sh's pid is the agent's once it execs: LISTEN_PID names the agent, as systemd sets it.
        let result = try await RunningProcess.run(
            "/bin/sh",
            ["-c", #"export LISTEN_PID=$$ LISTEN_FDS=1; exec "$0" 3</dev/null"#, Products.path("sync-agent")])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "sync-agent: error: descriptor 3, handed by socket activation (LISTEN_FDS=1), is a character "
                + "device, not a socket; give sync-agent's .socket unit one ListenStream=/path "
                + "(systemd-socket-activate: -l /path)\n", "\(result)")
    }

    @Test func socketPathMustNameTheHandedSocket() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let process = try await activated(["-l", directory.socket], agent: ["--socket-path", directory.file("other")])
        _ = try? await RunningProcess.run(
            Products.path("syncctl"), ["ping"], environment: ["SYNC_AGENT_SOCKET_PATH": directory.socket])
        let result = await process.finish()
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "sync-agent: error: socket activation handed the socket \(directory.socket), but --socket-path says "
                    + "\(directory.file("other")); drop --socket-path or make it the same path\n"),
            "\(result)")
    }
}
