import Glibc
import Foundation
import SyncProtocol
import SyncTestSupport
import Testing

/// The built `sync-agent` against what happens to a real process: signals from a closing terminal or a stray
/// `kill`, a low file descriptor limit, another user sending hostile frames.
@Suite("Outsiders against the built agent")
struct OutsiderProcessTests {
    /// A client parked in a `start` on `agent`, as `syncctl start` would be.
    private func parkedClient(_ socket: String) async throws -> RawConnection {
        let raw = try RawConnection(path: socket)
        try await raw.hello()
        await raw.send(#"{"id":1,"type":"want","unit":"claude","depends_on":["git"]}"# + "\n")
        #expect(try await raw.readFrame()?["ok"] == true)
        await raw.send(#"{"id":2,"type":"start","unit":"claude"}"# + "\n")
        #expect(try await raw.readFrame()?["push"] == "waiting")
        return raw
    }

    @Test(arguments: [SIGHUP, SIGINT, SIGTERM])
    func aStopSignalShutsDownCleanly(signal: Int32) async throws {
        let agent = try await AgentProcess(arguments: ["--ephemeral"])
        defer { agent.directory.remove() }
        let raw = try await parkedClient(agent.socket)
        defer { raw.close() }
        agent.process.signal(signal)
        let reply = try await raw.readFrame()
        #expect(reply?["id"] == 2)
        #expect(reply?.errorCode == "shutting_down", "\(String(describing: reply))")
        let result = await agent.process.finish()
        #expect(result.status == 0, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: agent.socket))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/nohup"), "needs nohup"))
    func underNohupSIGHUPIsIgnored() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let agent = try RunningProcess(
            "/usr/bin/nohup", [Products.path("sync-agent"), "--socket-path", directory.socket, "--ephemeral"])
        await agent.waitForOutput(containing: "agent listening")
        let raw = try await parkedClient(directory.socket)
        defer { raw.close() }
        agent.signal(SIGHUP)
        #expect(try await raw.request(#"{"id":3,"type":"ping"}"#)?["ok"] == true)
        agent.signal(SIGTERM)
        #expect(try await raw.readFrame()?.errorCode == "shutting_down")
        #expect(await agent.finish().status == 0)
    }

    @Test func otherCommonSignalsAreIgnoredAndTheAgentGoesOn() async throws {
        let agent = try await AgentProcess(arguments: ["--ephemeral"])
        let raw = try await parkedClient(agent.socket)
        defer { raw.close() }
        for number in [SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE, SIGVTALRM] {
            agent.process.signal(number)
            // Answered after the signal: the agent is still there, and the parked start still waits.
            #expect(try await raw.request(#"{"id":3,"type":"ping"}"#)?["ok"] == true, "after signal \(number)")
        }
        #expect(try await agent.syncctl("start", "git").status == 0)
        #expect(try await agent.syncctl("complete", "git").status == 0)
        #expect(try await raw.readFrame()?["result"]?["waited"] == true)
        let result = await agent.stop()
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("ignored signal SIGUSR1"), "\(result)")
    }

    @Test func aUsageErrorExitsWithStatus2LikeSyncctl() async throws {
        let result = try await RunningProcess.run(Products.path("sync-agent"), ["--max-units", "0"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("--max-units must be at least 1"), "\(result)")
        let help = try await RunningProcess.run(Products.path("sync-agent"), ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("SIGHUP"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit"))
    func idleConnectionsPastTheLimitDoNotHoldDescriptorsOrDelayOthers() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let agent = try RunningProcess(
            "/usr/bin/prlimit",
            ["--nofile=100:100", Products.path("sync-agent"), "--socket-path", directory.socket, "--ephemeral"])
        await agent.waitForOutput(containing: "agent listening")
        defer { agent.signal(SIGKILL) }
        // 200 connections that never say hello: those past the limit are told and closed at once.
        var idle: [RawConnection] = []
        defer { idle.forEach { $0.close() } }
        for _ in 0..<200 { idle.append(try RawConnection(path: directory.socket)) }
        // Those past the limit were told at once and closed by the agent.
        var refused = 0
        for connection in idle.reversed().prefix(100) {
            connection.setReadTimeout(5)
            if try await connection.readFrame()?.errorCode == "limit_exceeded" { refused += 1 }
        }
        #expect(refused == 100)
        // A client that comes now gets its answer at once (within 5 s; the hello timeout is 10 s), and is served
        // as soon as the idle clients holding the places leave.
        let client = try RawConnection(path: directory.socket)
        defer { client.close() }
        client.setReadTimeout(5)
        let answer = try await client.request(#"{"id":0,"type":"hello","version":1}"#)
        // (Served if the idle ones' hello timeout already ran out on a slow machine.)
        #expect(answer?.errorCode == "limit_exceeded" || answer?["ok"] == true, "\(String(describing: answer))")
        idle.forEach { $0.close() }
        idle = []
        #expect(
            await eventually {
                guard let later = try? RawConnection(path: directory.socket) else { return false }
                defer { later.close() }
                later.setReadTimeout(5)
                return (try? await later.request(#"{"id":0,"type":"hello","version":1}"#))??["ok"] == true
            })
        #expect(Fault.openDescriptors(agent.pid) < 100)
        agent.signal(SIGTERM)
        let result = await agent.finish()
        #expect(result.status == 0, "\(result)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit"))
    func runningOutOfDescriptorsPausesAcceptingInsteadOfSpinning() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // So few descriptors that the 16 connections the agent still allows cannot all be accepted.
        let agent = try RunningProcess(
            "/usr/bin/prlimit",
            ["--nofile=30:30", Products.path("sync-agent"), "--socket-path", directory.socket, "--ephemeral"])
        await agent.waitForOutput(containing: "agent listening")
        defer { agent.signal(SIGKILL) }
        var idle: [RawConnection] = []
        for _ in 0..<40 { idle.append(try RawConnection(path: directory.socket)) }
        // All 30 descriptors in use: accept now fails with EMFILE.
        #expect(await eventually { Fault.openDescriptors(agent.pid) >= 30 })
        // While out of descriptors the agent waits rather than retrying accept in a busy loop: measured over 2 s
        // (a spinning agent uses most of a core, about 160 ticks; a waiting one close to none).
        func cpuTicks() -> Int {
            let fields = (try? String(contentsOfFile: "/proc/\(agent.pid)/stat", encoding: .utf8))?.split(
                separator: " ")
            guard let fields, fields.count > 14 else { return 0 }
            return (Int(fields[13]) ?? 0) + (Int(fields[14]) ?? 0)
        }
        let before = cpuTicks()
        try await Task.sleep(for: .seconds(2))
        #expect(cpuTicks() - before < 50)
        // Once descriptors are free again, clients are served.
        idle.forEach { $0.close() }
        #expect(
            await eventually {
                guard let client = try? RawConnection(path: directory.socket) else { return false }
                defer { client.close() }
                client.setReadTimeout(5)
                return (try? await client.request(#"{"id":0,"type":"hello","version":1}"#))??["ok"] == true
            })
        agent.signal(SIGTERM)
        #expect(await agent.finish().status == 0)
    }

    @Test(
        .enabled(
            if: Fault.canSwitchUsers && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
            "needs root, setpriv and /usr/bin/python3 to connect as another user"))
    func anotherUsersHostileFrameDoesNotStallTheOwner() async throws {
        let agent = try await AgentProcess(arguments: ["--ephemeral"])
        // Open the modes so the stranger reaches the agent's own check.
        chmod(agent.directory.path, 0o755)
        chmod(agent.socket, 0o666)
        let script = agent.directory.file("stranger.py")
        try """
        import socket, sys
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30)
        s.connect(sys.argv[1])
        keys = ",".join('"k%d":0' % i for i in range(80000))
        try:
            s.sendall(('{"id":0,"type":"hello","version":1,' + keys + '}\\n').encode())
        except OSError:
            pass
        try:
            print(s.makefile('rb').readline().decode().strip())
        except OSError as error:
            print("no answer:", error)
        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o644)
        let (executable, arguments) = Fault.asUser(65534, "/usr/bin/python3", [script, agent.socket])
        let stranger = try await RunningProcess.run(executable, arguments)
        #expect(stranger.stdout.contains("permission_denied"), "\(stranger)")
        // The owner is served at once.
        let owner = try RawConnection(path: agent.socket)
        defer { owner.close() }
        owner.setReadTimeout(10)
        #expect(try await owner.request(#"{"id":0,"type":"hello","version":1}"#)?["ok"] == true)
        let result = await agent.stop()
        #expect(result.stderr.contains("refused a client of another user"), "\(result)")
    }
}

extension RawConnection {
    /// Sends a request and returns the next frame.
    fileprivate func request(_ text: String) async throws -> JSON? {
        await send(text + "\n")
        return try await readFrame()
    }

    /// Makes reads give up after `seconds` instead of 60.
    fileprivate func setReadTimeout(_ seconds: Int) {
        var time = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }
}

extension JSON {
    fileprivate var errorCode: String? { self["error"]?["code"]?.stringValue }
}
