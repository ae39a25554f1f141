import Foundation
import SyncProtocol
import SyncTestSupport
import Testing

/// `syncctl doctor` through the built binaries: each verdict, its exit status, its text and its JSON.
@Suite("syncctl doctor", .serialized)
struct DoctorTests {
    static let names = ["socket", "directory", "agent", "journal", "limits", "autostart"]

    private func doctor(
        _ socket: String, _ arguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> RunningProcess.Result {
        try await RunningProcess.run(
            Products.path("syncctl"), ["doctor"] + arguments,
            environment: ["SYNC_AGENT_SOCKET_PATH": socket].merging(environment) { $1 })
    }

    /// The checks of `doctor -o json`, by name, after checking the shape every check has.
    private func checks(_ result: RunningProcess.Result) throws -> (healthy: Bool, checks: [String: JSON]) {
        let json = try JSON.parse(result.stdout)
        guard case .bool(let healthy)? = json["healthy"], case .array(let checks)? = json["checks"] else {
            throw POSIXError(.EINVAL)
        }
        #expect(checks.compactMap { $0["name"]?.stringValue } == Self.names)
        for check in checks {
            guard case .object(let pairs) = check else { throw POSIXError(.EINVAL) }
            #expect(pairs.map(\.0) == ["name", "verdict", "summary", "fix", "facts"])
            #expect(["ok", "note", "problem"].contains(check["verdict"]?.stringValue ?? ""))
            if check["verdict"]?.stringValue == "problem" { #expect(check["fix"]?.stringValue?.isEmpty == false) }
        }
        let byName = Dictionary(uniqueKeysWithValues: checks.map { ($0["name"]?.stringValue ?? "", $0) })
        return (healthy, byName)
    }

    @Test func aHealthyAgentPassesEveryCheck() async throws {
        try await using(try await AgentProcess(arguments: ["--max-units", "50"]), cleanup: { _ = await $0.stop() }) {
            try await expectHealthy($0)
        }
    }

    private func expectHealthy(_ agent: AgentProcess) async throws {
        _ = try await agent.syncctl("want", "a", "b")
        let text = try await doctor(agent.socket)
        #expect(text.status == 0, "\(text)")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "ok       socket     \(agent.socket), from $SYNC_AGENT_SOCKET_PATH", "\(text)")
        #expect(
            text.stdout.contains(
                "ok       agent      sync-agent \(ProtocolVersion.productVersion) answers (pid \(agent.process.pid), "
                    + "protocol \(ProtocolVersion.current), instance "), "\(text)")
        #expect(text.stdout.contains("ok       journal    \(agent.socket).journal (beside the socket): "), "\(text)")
        #expect(text.stdout.contains("last line complete; locked by the agent"), "\(text)")
        #expect(text.stdout.contains("--max-units 50, the others at their defaults"), "\(text)")
        #expect(text.stdout.hasSuffix("\nNo problems found.\n"), "\(text)")
        let json = try await doctor(agent.socket, ["-o", "json"])
        #expect(json.status == 0, "\(json)")
        let (healthy, checks) = try self.checks(json)
        #expect(healthy)
        #expect(checks.values.allSatisfy { $0["verdict"]?.stringValue == "ok" }, "\(json)")
        let pid = JSON.int(Int64(agent.process.pid))
        #expect(checks["agent"]?["facts"]?["pid"] == pid)
        #expect(checks["agent"]?["facts"]?["answers"] == .bool(true))
        #expect(checks["journal"]?["facts"]?["lock_pid"] == pid)
        #expect(checks["journal"]?["facts"]?["last_line_complete"] == .bool(true))
        #expect(checks["limits"]?["facts"]?["max_frame_bytes"] == .int(1_048_576))
        #expect(checks["limits"]?["facts"]?["options"] == .object([("--max-units", .string("50"))]))
        #expect(checks["socket"]?["facts"]?["source"] == .string("SYNC_AGENT_SOCKET_PATH"))
        var directory = stat()
        stat(agent.directory.path, &directory)
        #expect(checks["directory"]?["facts"]?["mode"] == .string(String(directory.st_mode & 0o7777, radix: 8)))
        #expect(checks["autostart"]?["facts"]?["enabled"] == .bool(true))
    }

    /// No agent with autostart on is nothing to fix (the next command starts one), and doctor does not start one.
    @Test func noAgentIsANoteWhileAutostartIsOn() async throws {
        try await withAutostartDirectory { place in
            let text = try await doctor(place.socket)
            #expect(text.status == 0, "\(text)")
            #expect(
                text.stdout.contains(
                    "note     agent      no agent is running (nothing at \(place.socket)); the next command that "
                        + "changes or waits on state starts one"), "\(text)")
            #expect(text.stdout.contains("note     directory  \(place.socketDirectory) does not exist yet"))
            let (healthy, checks) = try self.checks(try await doctor(place.socket, ["-o", "json"]))
            #expect(healthy)
            #expect(checks["agent"]?["facts"]?["answers"] == .bool(false))
            #expect(place.agents.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: place.socket))
        }
    }

    @Test(arguments: [(["--no-autostart"], [:]), ([], ["SYNC_AGENT_AUTOSTART": "0"])])
    func noAgentIsAProblemWhenAutostartIsOff(arguments: [String], environment: [String: String]) async throws {
        try await withAutostartDirectory { place in
            let text = try await doctor(place.socket, arguments, environment: environment)
            #expect(text.status == 1, "\(text)")
            #expect(text.stdout.contains("problem  agent      no agent is running"), "\(text)")
            #expect(text.stdout.contains("fix: start one: sync-agent --socket-path \(place.socket) &"), "\(text)")
            #expect(text.stdout.hasSuffix("\n1 problem found: see fix above.\n"), "\(text)")
            let json = try await doctor(place.socket, arguments + ["-o", "json"], environment: environment)
            #expect(json.status == 1)
            let (healthy, checks) = try self.checks(json)
            #expect(!healthy)
            #expect(checks["agent"]?["verdict"] == .string("problem"))
            #expect(checks["autostart"]?["facts"]?["enabled"] == .bool(false))
        }
    }

    @Test func aStaleSocketIsAProblemWithItsFix() async throws {
        try await withAutostartDirectory { place in
            place.makeDirectory()
            try makeStaleSocket(place.socket)
            let text = try await doctor(place.socket)
            #expect(text.status == 1, "\(text)")
            #expect(
                text.stdout.contains("problem  agent      no agent answers: \(place.socket) is a stale socket"),
                "\(text)")
            #expect(text.stdout.contains("or rm \(place.socket)"), "\(text)")
            let (healthy, checks) = try self.checks(try await doctor(place.socket, ["-o", "json"]))
            #expect(!healthy)
            #expect(checks["socket"]?["facts"]?["file"] == .string("socket"))
            #expect(place.agents.isEmpty)
        }
    }

    @Test(arguments: [(0o777, "anyone"), (0o770, "its group")])
    func aDirectoryOthersCanWriteIsAProblem(mode: Int, who: String) async throws {
        try await withAutostartDirectory { place in
            place.makeDirectory()
            chmod(place.socketDirectory, mode_t(mode))
            let text = try await doctor(place.socket)
            #expect(text.status == 1, "\(text)")
            let octal = String(mode, radix: 8)
            #expect(
                text.stdout.contains(
                    "problem  directory  \(place.socketDirectory): yours (uid \(getuid())), mode \(octal)"))
            #expect(
                text.stdout.contains("fix: socket directory \(place.socketDirectory) has mode \(octal): \(who) may "),
                "\(text)")
            #expect(text.stdout.contains("chmod go-w (or +t) \(place.socketDirectory)"), "\(text)")
            let (_, checks) = try self.checks(try await doctor(place.socket, ["-o", "json"]))
            #expect(checks["directory"]?["facts"]?["mode"] == .string(octal))
        }
    }

    /// A journal that is not a file stops any agent: a problem. A torn last line is only a note.
    @Test func theJournalsHealth() async throws {
        try await withAutostartDirectory { place in
            place.makeDirectory()
            #expect(mkdir(place.journal, 0o700) == 0)
            let bad = try await doctor(place.socket)
            #expect(bad.status == 1, "\(bad)")
            #expect(bad.stdout.contains("problem  journal    \(place.journal) (the default beside the socket)"))
            #expect(bad.stdout.contains(", not a regular file"), "\(bad)")
            rmdir(place.journal)
            try "{\"torn".write(toFile: place.journal, atomically: false, encoding: .utf8)
            let torn = try await doctor(place.socket, ["-o", "json"])
            let (_, checks) = try self.checks(torn)
            #expect(checks["journal"]?["verdict"] == .string("note"))
            #expect(checks["journal"]?["facts"]?["last_line_complete"] == .bool(false))
            #expect(checks["journal"]?["facts"]?["size_bytes"] == .int(6))
        }
    }
}
