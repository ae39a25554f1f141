import Foundation
import SyncTestSupport
import Synchronization

/// Two local accounts for the tests where another user tries to pass for the victim's agent: `syncvictim` runs the
/// built `syncctl`, `syncsquat` serves a fake agent. Created with `useradd` when missing (root only); the tests are
/// skipped otherwise.
enum Squatter {
    static let victim = "syncvictim"
    static let squatter = "syncsquat"

    /// Whether this process can act as two users: root, with setpriv, useradd and python3.
    static let available: Bool = {
        getuid() == 0
            && ["/usr/bin/setpriv", "/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/bin/python3"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: $0)
            }
    }()

    /// Creates both accounts (when missing), runs `body`, and removes them.
    /// - Throws: when the accounts cannot be made, or the victim cannot run the built binaries (a directory on
    ///   the way to them closed to others).
    ///
    /// Only the accounts this call created are removed, and the ids are read once: another test run on the same
    /// machine may create or remove the same accounts meanwhile, and must not pull them from under this one.
    static func withAccounts(_ body: () async throws -> Void) async throws {
        var created: [String] = []
        for name in [victim, squatter] where uid(of: name) == nil {
            if runNow("/usr/sbin/useradd", ["-M", "-r", "-s", "/usr/sbin/nologin", name]) == 0 { created.append(name) }
        }
        defer { for name in created { runNow("/usr/sbin/userdel", [name]) } }
        for name in [victim, squatter] {
            guard let entry = getpwnam(name)?.pointee else { throw POSIXError(.EPERM) }
            ids.withLock { $0[name] = (entry.pw_uid, entry.pw_gid) }
        }
        let (executable, arguments) = asUser(victim, Products.path("syncctl"), ["--version"])
        guard runNow(executable, arguments) == 0 else { throw POSIXError(.EACCES) }
        try await body()
    }

    /// The accounts' ids as ``withAccounts(_:)`` found them.
    private static let ids = Mutex<[String: (uid: UInt32, gid: UInt32)]>([:])

    static func uid(of name: String) -> UInt32? {
        ids.withLock { $0[name]?.uid } ?? getpwnam(name).map { $0.pointee.pw_uid }
    }

    /// Runs a command to its end. - Returns: its status, -1 when it could not start.
    @discardableResult
    static func runNow(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// `setpriv` arguments that run `executable` as `user` (its uid and gid, no other groups; `setpriv` execs, so
    /// a signal reaches the program itself) with no socket variables, HOME or XDG_RUNTIME_DIR, so the default
    /// `/tmp/sync-agent-<uid>/agent.sock` applies.
    static func asUser(_ user: String, _ executable: String, _ arguments: [String]) -> (String, [String]) {
        let entry = ids.withLock { $0[user] } ?? getpwnam(user).map { ($0.pointee.pw_uid, $0.pointee.pw_gid) }
        let (uid, gid) = entry ?? (UInt32.max, UInt32.max)  // an unknown user: setpriv refuses, the test fails
        return (
            "/usr/bin/setpriv",
            [
                "--reuid", "\(uid)", "--regid", "\(gid)", "--clear-groups", "/usr/bin/env", "-u",
                "HOME",
                "-u", "XDG_RUNTIME_DIR", "-u", "SYNC_AGENT_SOCKET_PATH", executable,
            ] + arguments
        )
    }

    /// A fake agent in Python: listens on `socket` (creating its directory with `mode` when missing, the socket
    /// itself 0777),
    /// answers every request with success (hello with an agent-like result), and prints `bytes N` when a
    /// connection ends, N being what that client sent. Prints `listening` once ready.
    static let fakeAgentScript = #"""
        import json, os, socket, sys, threading
        path, mode = sys.argv[1], int(sys.argv[2], 8)
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            os.mkdir(directory)
            os.chmod(directory, mode)
        if os.path.exists(path):
            os.unlink(path)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        os.chmod(path, 0o777)
        server.listen(16)
        print("listening", flush=True)
        def serve(conn):
            total, buffer = 0, b""
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                total += len(data)
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    request = json.loads(line)
                    result = {"version": 1, "agent_version": "fake", "pid": os.getpid(),
                              "max_frame_bytes": 1048576, "instance": "fake"}
                    if request.get("op") == "start":
                        result = {"unit": request.get("unit"), "status": "started", "dependencies": []}
                    conn.sendall((json.dumps({"id": request.get("id"), "ok": True, "result": result}) + "\n").encode())
            print("bytes %d" % total, flush=True)
            conn.close()
        while True:
            conn, _ = server.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        """#

    /// The fake agent, started as the squatter. `scratch` receives the script (readable by everyone).
    static func startFakeAgent(
        socket: String, mode: String, scratch: TemporaryDirectory
    ) async throws -> RunningProcess {
        let script = scratch.file("fake-agent.py")
        try fakeAgentScript.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(scratch.path, 0o755)
        chmod(script, 0o644)
        let (executable, arguments) = asUser(squatter, "/usr/bin/python3", [script, socket, mode])
        let fake = try RunningProcess(executable, arguments)
        await fake.waitForOutput(containing: "listening")
        return fake
    }

    /// Runs the built `syncctl` as the victim.
    static func victimSyncctl(_ arguments: [String]) async throws -> RunningProcess.Result {
        let (executable, arguments) = asUser(victim, Products.path("syncctl"), arguments)
        return try await RunningProcess.run(executable, arguments)
    }
}
