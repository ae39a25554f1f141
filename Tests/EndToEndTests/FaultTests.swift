import Foundation
import SyncClient
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

/// Faults with the real binaries: clients and the agent killed, a second agent, a stale socket, a socket directory
/// that is not the user's, a full disk and an unwritable journal. Nothing acknowledged is ever lost.
/// (kill -9 of the agent mid start-up with the journal: `RestartTests`.)
@Suite("Faults with the real binaries")
struct FaultTests {
    private func startAgent(_ arguments: [String]) async throws -> RunningProcess {
        let agent = try RunningProcess(Products.path("sync-agent"), arguments)
        await agent.waitForOutput(containing: "agent listening")
        return agent
    }

    private func syncctl(_ socket: String, _ arguments: String...) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            Products.path("syncctl"), arguments, environment: ["SYNC_AGENT_SOCKET_PATH": socket])
    }

    /// `syncctl list -o json` as unit -> status.
    private func statuses(_ socket: String) async throws -> [String: String] {
        let list = try await syncctl(socket, "list", "-o", "json")
        guard list.status == 0,
            let units = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        else { throw POSIXError(.EPROTO) }
        return Dictionary(uniqueKeysWithValues: units.map { ($0["unit_name"] as! String, $0["status"] as! String) })
    }

    private func client(_ socket: String) async throws -> SyncClient {
        try await SyncClient.connect(to: SocketPath(path: socket, source: .flag), client: "fault-test")
    }

    @Test func killingClientsWhileTheyWaitLeaksNoWaits() async throws {
        try await withAgentProcess { agent in
            let units = (0..<10).map { "u\($0)" }
            for unit in units { _ = try await agent.syncctl("want", unit, "gate") }
            var waiters: [RunningProcess] = []
            for unit in units {
                let process = try agent.spawn("start", unit, "--timeout", "0")
                await process.waitForOutput(containing: "is waiting")
                waiters.append(process)
            }
            let observer = try await client(agent.socket)
            defer { observer.close() }
            #expect(try await observer.list().map(\.waiters).reduce(0, +) == 10)
            for waiter in waiters { waiter.signal(SIGKILL) }
            for waiter in waiters { #expect(await waiter.finish().status == 137) }
            // Every wait ended with its client: none is counted, each shows as an event.
            #expect(await eventually { (try? await observer.list().map(\.waiters).reduce(0, +)) == 0 })
            let (_, events) = try await observer.history()
            let ended = events.filter { $0.json.compact.contains(#""outcome":"disconnected""#) }.map(\.unit)
            #expect(Set(ended) == Set(units))
            // And no one starts a unit for a client that is gone.
            _ = try await agent.syncctl("start", "gate")
            _ = try await agent.syncctl("complete", "gate")
            let after = try await statuses(agent.socket)
            for unit in units { #expect(after[unit] == "pending") }
        }
    }

    @Test func aSecondAgentOnALiveSocketExitsWithAClearErrorAndTheFirstGoesOn() async throws {
        try await withAgentProcess { agent in
            let second = try await RunningProcess.run(Products.path("sync-agent"), ["--socket-path", agent.socket])
            #expect(second.status == 1)
            #expect(second.stderr.contains("another agent is listening on \(agent.socket)"), "\(second)")
            #expect(try await agent.syncctl("ping").status == 0)
        }
    }

    @Test func aStaleSocketIsReplaced() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A socket file nobody listens on, as a killed agent leaves it.
        let first = try await startAgent(["--socket-path", directory.socket, "--ephemeral"])
        first.signal(SIGKILL)
        _ = await first.finish()
        #expect(FileManager.default.fileExists(atPath: directory.socket))
        let second = try await startAgent(["--socket-path", directory.socket, "--ephemeral"])
        #expect(try await syncctl(directory.socket, "ping").status == 0)
        second.signal(SIGTERM)
        #expect(await second.finish().status == 0)
    }

    @Test(.enabled(if: Fault.canSwitchUsers, "needs root and setpriv to run the agent as another user"))
    func theDefaultSocketDirectoryIsCheckedOnEveryStartAndOnlyTheOwnerGetsIn() async throws {
        // The agent runs as a uid of its own, so its default directory is /tmp/sync-agent-<uid>, which no other
        // test or agent uses.
        let uid = Fault.strangerUID
        let directory = "/tmp/sync-agent-\(uid)"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["XDG_RUNTIME_DIR": ""]
        func agentAsStranger() throws -> RunningProcess {
            let (executable, arguments) = Fault.asUser(uid, Products.path("sync-agent"), ["--ephemeral"])
            return try RunningProcess(executable, arguments, environment: environment)
        }

        // Owned by another user: refused, and left as it is.
        #expect(mkdir(directory, 0o700) == 0)
        #expect(chown(directory, 65534, 65534) == 0)
        var result = await (try agentAsStranger()).finish()
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("socket directory \(directory) belongs to uid 65534, not to you (uid \(uid))"),
            "\(result)")
        // A symlink to a directory of the user's own: refused too.
        rmdir(directory)
        let target = TemporaryDirectory()
        defer { target.remove() }
        #expect(chown(target.path, uid, uid) == 0)
        #expect(symlink(target.path, directory) == 0)
        result = await (try agentAsStranger()).finish()
        #expect(result.status == 1)
        #expect(result.stderr.contains("is a symbolic link; refusing to use it"), "\(result)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)
        unlink(directory)

        // Absent: created 0700 and used.
        let agent = try agentAsStranger()
        await agent.waitForOutput(containing: "agent listening")
        defer { agent.signal(SIGTERM) }
        let socket = directory + "/agent.sock"
        // Root's syncctl does not trust another user's socket (its directory, then its server, are not root's).
        let root = try await syncctl(socket, "ping")
        #expect(root.status == 123, "\(root)")
        #expect(root.stderr.contains("socket directory \(directory) belongs to uid \(uid)"), "\(root)")
        // Another user does not get in either: the file modes already stop it, so open them up, and speak the
        // protocol from Python (syncctl itself would refuse the directory) to reach the agent's own check, which
        // refuses the connection as it is made.
        chmod(directory, 0o755)
        chmod(socket, 0o666)
        let hello = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            try:
                s.sendall(b'{"id":1,"type":"hello","version":1,"client":"stranger"}\\n')
            except OSError:
                pass  # refused at connect: the agent may have closed before the hello
            print(s.makefile().readline(), end="")
            """
        let (executable, arguments) = Fault.asUser(65534, "/usr/bin/python3", ["-c", hello, socket])
        let stranger = try await RunningProcess.run(executable, arguments)
        let refusal = "permission denied: this agent serves uid 0 and \(uid) only, and you are uid 65534"
        #expect(stranger.stdout.contains(refusal), "\(stranger)")
        agent.signal(SIGTERM)
        let log = await agent.finish().stderr
        #expect(log.components(separatedBy: "refused a client of another user").count - 1 == 1, "\(log)")
        #expect(log.contains("uid=65534"))
    }

    @Test(.enabled(if: Fault.canMount, "needs root to mount a small tmpfs"))
    func aFullDiskRefusesChangesLosesNothingAndRecovers() async throws {
        let mount = try await Fault.Mount.tmpfs(size: "64k")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let arguments = ["--socket-path", directory.socket, "--state-file", mount.path + "/agent.journal"]
        var agent = try await startAgent(arguments)
        // Fill the disk but one page, then change the graph until the journal no longer fits.
        let filler = mount.path + "/filler"
        #expect(FileManager.default.createFile(atPath: filler, contents: Data(count: max(0, mount.freeBytes - 4096))))
        var acknowledged: [String: String] = [:]
        var refusal: RunningProcess.Result?
        for index in 0..<500 {
            let unit = "unit-\(index)"
            var result = try await syncctl(directory.socket, "start", unit)
            if result.status == 0 {
                acknowledged[unit] = "started"
                result = try await syncctl(directory.socket, "complete", unit)
                if result.status == 0 { acknowledged[unit] = "completed" }
            }
            if result.status != 0 {
                refusal = result
                break
            }
        }
        let refused = try #require(refusal)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("was not stored, so it was undone"), "\(refused)")
        #expect(refused.stderr.contains("No space left on device (ENOSPC)"), "\(refused)")
        #expect(acknowledged.count > 5)
        // Reads work and show exactly what was acknowledged; changes are refused with the reason.
        #expect(try await statuses(directory.socket) == acknowledged)
        let later = try await syncctl(directory.socket, "want", "unit-0", "x")
        #expect(later.status == 1)
        #expect(later.stderr.contains("refuses changes until it can write its journal again"), "\(later)")

        // Space comes back: within the retry interval changes are accepted again.
        try FileManager.default.removeItem(atPath: filler)
        #expect(await eventually { (try? await syncctl(directory.socket, "start", "after").status) == 0 })
        acknowledged["after"] = "started"

        // kill -9 and restart: exactly what was acknowledged.
        agent.signal(SIGKILL)
        _ = await agent.finish()
        agent = try await startAgent(arguments)
        #expect(try await statuses(directory.socket) == acknowledged)
        agent.signal(SIGTERM)
        let log = await agent.finish().stderr
        #expect(!log.contains("corrupt"), "\(log)")
        await mount.unmount()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit"))
    func aJournalOverItsFileSizeLimitRefusesChangesAndRecovers() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let arguments = ["--socket-path", directory.socket, "--state-file", directory.file("agent.journal")]
        var agent = try await startAgent(arguments)
        #expect(try await syncctl(directory.socket, "start", "a").status == 0)
        // No file of the agent may grow now (a soft RLIMIT_FSIZE of 1 byte): every write fails with EFBIG.
        let limit = await Fault.run("/usr/bin/prlimit", ["--pid", "\(agent.pid)", "--fsize=1:unlimited"])
        try #require(limit.status == 0, "\(limit)")
        let refused = try await syncctl(directory.socket, "complete", "a")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("File too large (EFBIG)"), "\(refused)")
        #expect(try await statuses(directory.socket) == ["a": "started"])
        _ = await Fault.run("/usr/bin/prlimit", ["--pid", "\(agent.pid)", "--fsize=unlimited:unlimited"])
        #expect(await eventually { (try? await syncctl(directory.socket, "complete", "a").status) == 0 })
        agent.signal(SIGKILL)
        _ = await agent.finish()
        agent = try await startAgent(arguments)
        #expect(try await statuses(directory.socket) == ["a": "completed"])
        agent.signal(SIGTERM)
        _ = await agent.finish()
    }

    @Test(.enabled(if: Fault.canSwitchUsers, "needs root and setpriv to run the agent as another user"))
    func aJournalTheAgentCannotWriteStopsTheStartWithAClearError() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        chmod(directory.path, 0o1777)
        let journal = directory.file("agent.journal")
        #expect(FileManager.default.createFile(atPath: journal, contents: nil, attributes: [.posixPermissions: 0o644]))
        let (executable, arguments) = Fault.asUser(
            Fault.strangerUID, Products.path("sync-agent"),
            ["--socket-path", directory.file("s"), "--state-file", journal])
        let result = await (try RunningProcess(executable, arguments)).finish()
        #expect(result.status == 1)
        #expect(result.stderr.contains("open journal \(journal): Permission denied"), "\(result)")
    }

    @Test(.enabled(if: Fault.canMount, "needs root to mount a small tmpfs"))
    func anAgentStartingOnAFullDiskSaysSo() async throws {
        let mount = try await Fault.Mount.tmpfs(size: "64k")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = FileManager.default.createFile(atPath: mount.path + "/filler", contents: Data(count: mount.freeBytes))
        let result = try await RunningProcess.run(
            Products.path("sync-agent"),
            ["--socket-path", directory.socket, "--state-file", mount.path + "/agent.journal"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("No space left on device"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: directory.socket))
        await mount.unmount()
    }
}
