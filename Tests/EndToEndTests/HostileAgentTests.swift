import Foundation
import SyncClient
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

/// The client against something on the socket that is not a well-behaved agent (of the user's own, so the socket
/// checks pass): it must fail with a clear message, never hang or crash. Also paths that are not sockets.
@Suite("syncctl against a hostile agent")
struct HostileAgentTests {
    /// A listener in Python that answers each line according to `mode`: `garbage` (a line that is not JSON),
    /// `garbage-then-reply` (the same, then the right reply in the same write), `silent` (nothing), `wrong-id` (a
    /// reply for another id first, then the right one), `not-a-reply` (JSON that is neither a reply nor a push),
    /// `bad-result` (hello right, then a result that is an array), `bad-push` (hello right, then a `waiting` push
    /// whose fields have the wrong types, and nothing more).
    static let script = #"""
        import json, socket, sys
        path, mode = sys.argv[1], sys.argv[2]
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(4)
        print("listening", flush=True)
        while True:
            conn, _ = server.accept()
            buffer = b""
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    request = json.loads(line)
                    hello = {"version": 1, "agent_version": "fake", "pid": 1, "max_frame_bytes": 1048576,
                             "instance": "fake"}
                    reply = lambda rid: (json.dumps({"id": rid, "ok": True, "result": hello}) + "\n").encode()
                    if mode == "garbage":
                        conn.sendall(b"\x00\xffnot json at all\n")
                    elif mode == "garbage-then-reply":
                        conn.sendall(b"\x00\xffnot json at all\n" + reply(request["id"]))
                    elif mode == "not-a-reply":
                        conn.sendall(b'{"id": 1, "hello": "there"}\n')
                    elif mode == "wrong-id":
                        conn.sendall(reply(request["id"] + 1000) + reply(request["id"]))
                    elif mode in ("bad-result", "bad-push") and request["type"] == "hello":
                        conn.sendall(reply(request["id"]))
                    elif mode == "bad-result":
                        conn.sendall((json.dumps({"id": request["id"], "ok": True, "result": []}) + "\n").encode())
                    elif mode == "bad-push" and request["type"] in ("start", "wait"):
                        push = {"id": request["id"], "push": "waiting", "unit": 5, "remaining": "a"}
                        conn.sendall((json.dumps(push) + "\n").encode())
            conn.close()
        """#

    private func withFake(_ mode: String, _ body: (String) async throws -> Void) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try Self.script.write(toFile: directory.file("fake.py"), atomically: true, encoding: .utf8)
        let fake = try RunningProcess("/usr/bin/python3", [directory.file("fake.py"), directory.socket, mode])
        await fake.waitForOutput(containing: "listening")
        defer { fake.signal(SIGKILL) }
        try await body(directory.socket)
    }

    private func syncctl(_ socket: String, _ arguments: String...) async throws -> RunningProcess.Result {
        try await RunningProcess.run(Products.path("syncctl"), arguments + ["--socket-path", socket])
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3"),
        arguments: ["garbage", "not-a-reply", "garbage-then-reply"])
    func framesThatAreNotRepliesEndTheCommandAtOnce(mode: String) async throws {
        try await withFake(mode) { socket in
            let result = try await syncctl(socket, "ping")
            #expect(result.status == 123, "\(result)")
            #expect(result.stderr.contains("sent a frame that is not a reply or a push"), "\(result)")
            #expect(result.stderr.contains("is something else listening on the socket?"), "\(result)")
        }
    }

    /// A reply that does not decode as what its request expects ends the command with exit 123 and says what was
    /// wrong and what to do, instead of printing defaults (empty lists, `""`).
    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3"),
        arguments: [
            ["ping"], ["want", "a", "b"], ["start", "a"], ["complete", "a"], ["fail", "a"], ["status", "a"], ["list"],
            ["wait", "a"], ["graph"], ["timeline"], ["why", "a"], ["watch"], ["run", "a", "--", "true"],
        ])
    func aReplyThatDoesNotDecodeEndsTheCommand(arguments: [String]) async throws {
        try await withFake("bad-result") { socket in
            // Before `--`, which starts run's command.
            let options = arguments.firstIndex(of: "--") ?? arguments.count
            var arguments = arguments
            arguments.insert(contentsOf: ["--socket-path", socket], at: options)
            let result = try await RunningProcess.run(Products.path("syncctl"), arguments)
            #expect(result.status == 123, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains("the agent at \(socket) sent a reply to "), "\(result)")
            let problem = "that syncctl cannot read: the result must be an object, got array"
            #expect(result.stderr.contains(problem), "\(result)")
            #expect(result.stderr.contains("Check that sync-agent and syncctl are the same version"), "\(result)")
        }
    }

    /// A `waiting` push that does not decode ends a waiting `start` or `wait` at once, rather than leaving it
    /// waiting for a reply that this agent will never send.
    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3"),
        arguments: [["start", "a"], ["wait", "a"]])
    func aWaitingPushThatDoesNotDecodeEndsTheWait(arguments: [String]) async throws {
        try await withFake("bad-push") { socket in
            let result = try await RunningProcess.run(Products.path("syncctl"), arguments + ["--socket-path", socket])
            #expect(result.status == 123, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains(#"sent a "waiting" push to \#(arguments[0]) (request "#), "\(result)")
        }
    }

    /// sync-top says so too, rather than showing a dashboard built from defaults.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3"))
    func syncTopShowsAHistoryItCannotRead() async throws {
        try await withFake("bad-result") { socket in
            let result = try await RunningProcess.run(
                Products.path("sync-top"), ["--once", "--socket-path", socket],
                environment: ["LC_ALL": "C.UTF-8", "TZ": "UTC", "TERM": "xterm-256color"])
            #expect(result.status != 0, "\(result)")
            let problem = "sent a reply to history (request 2) that sync-top cannot read: the result must be an object"
            #expect(result.stderr.contains(problem), "\(result)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3"))
    func aReplyForAnotherRequestIsIgnored() async throws {
        try await withFake("wrong-id") { socket in
            let result = try await syncctl(socket, "ping")
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "Success\n")
        }
    }

    /// A listener that never answers hello: the client gives up after its hello timeout instead of hanging.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3"))
    func aListenerThatNeverAnswersDoesNotHangTheClient() async throws {
        try await withFake("silent") { socket in
            do {
                let client = try await SyncClient.connect(
                    to: SocketPath(path: socket, source: .flag), helloTimeout: .milliseconds(200))
                client.close()
                Issue.record("connected to a listener that never answered")
            } catch let error as WireError {
                #expect(error.code == .unreachable)
                #expect(error.message == "the agent at \(socket) did not answer hello within 200ms", "\(error)")
            }
        }
    }

    @Test func aSocketPathThatIsNotASocketSaysWhatItIs() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        #expect(FileManager.default.createFile(atPath: directory.file("file"), contents: Data()))
        #expect(mkdir(directory.file("dir"), 0o700) == 0)
        for (name, kind) in [("file", "a regular file"), ("dir", "a directory")] {
            let result = try await syncctl(directory.file(name), "ping")
            #expect(result.status == 123, "\(result)")
            let hint = "hint: \(directory.file(name)) is \(kind), not a socket; check --socket-path"
            #expect(result.stderr.contains(hint), "\(result)")
        }
    }

    /// A relative SYNC_AGENT_SOCKET_PATH would name a different socket in each directory; a relative
    /// --socket-path is this command's own, and `run` hands its command the absolute path.
    @Test func relativeSocketPaths() async throws {
        try await withAgentProcess { agent in
            let relative = try await RunningProcess.run(
                Products.path("syncctl"), ["ping"], environment: ["SYNC_AGENT_SOCKET_PATH": "agent.sock"])
            #expect(relative.status == 123, "\(relative)")
            #expect(relative.stderr.contains("SYNC_AGENT_SOCKET_PATH is the relative path \"agent.sock\""))
            // From the agent's directory, with a relative flag: the command gets the absolute path.
            let script =
                "cd \(agent.directory.path) && exec \"$0\" run u --socket-path s -- sh -c 'echo $SYNC_AGENT_SOCKET_PATH'"
            let run = try await RunningProcess.run("/bin/sh", ["-c", script, Products.path("syncctl")])
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout == agent.socket + "\n")
        }
    }
}
