@preconcurrency import Glibc
import SyncOS
import Testing

@testable import SyncReadiness

@Suite struct ProbeLoopTests {
    /// A probe that fails `failures` times, then passes.
    final class Scripted: ReadinessProbe, @unchecked Sendable {
        var left: Int
        init(failures: Int) { left = failures }
        func probe() -> ProbeResult {
            left -= 1
            return left < 0 ? .passed : .notYet("not yet \(left)")
        }
    }

    @Test func stopsAtTheFirstPass() {
        var loop = ProbeLoop(probe: Scripted(failures: 3), schedule: .network(start: 0, timeout: nil))
        #expect(loop.run() == .init(result: .passed, attempts: 4))
    }

    @Test func givesTheLastReasonAtTheDeadline() {
        let start = SystemClock.monotonic()
        var loop = ProbeLoop(probe: Scripted(failures: .max), schedule: .network(start: start, timeout: 0))
        #expect(loop.run() == .init(result: .notYet("not yet \(Int.max - 1)"), attempts: 1))
    }

    @Test func callerCanStopIt() {
        var loop = ProbeLoop(probe: Scripted(failures: .max), schedule: .network(start: 0, timeout: nil))
        var seen: [Int] = []
        let outcome = loop.run { _, attempt in
            seen.append(attempt)
            return attempt < 2
        }
        #expect(seen == [1, 2])
        #expect(outcome.attempts == 2)
    }

    /// The real thing: `python3 -m http.server` on a free port, probed from its start until it answers 200.
    @Test func pythonHTTPServerBecomesReady() throws {
        let listener = TestListener()
        let port = listener.port
        _ = consume listener
        // An empty folder of its own: a listing of /tmp (thousands of entries left by test runs) took longer than a
        // probe's 250 ms on a loaded machine, and every timed-out probe queued one more listing in the server.
        var template = Array("/tmp/probe-http-XXXXXX".utf8CString)
        let directory = try #require(mkdtemp(&template).map { String(cString: $0) })
        defer { rmdir(directory) }
        let command = "exec python3 -m http.server --bind 127.0.0.1 --directory \(directory) \(port)"
        var attributes = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&attributes)
        defer { posix_spawn_file_actions_destroy(&attributes) }
        posix_spawn_file_actions_addopen(&attributes, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&attributes, 1, 2)
        let words: [String] = ["sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The test's thread blocks most signals and a child inherits the mask: clear it, or SIGTERM never arrives.
        var spawn = posix_spawnattr_t()
        posix_spawnattr_init(&spawn)
        defer { posix_spawnattr_destroy(&spawn) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&spawn, &mask)
        posix_spawnattr_setflags(&spawn, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, "/bin/sh", &attributes, &spawn, argv, environ) == 0)
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        let probe = HTTPProbe(host: "127.0.0.1", port: port, path: "/")
        var loop = ProbeLoop(probe: probe, schedule: .network(start: SystemClock.monotonic(), timeout: 120_000_000))
        var reasons: Set<String> = []
        let outcome = loop.run { result, _ in
            reasons.insert(result.description)
            return true
        }
        #expect(outcome.result == .passed, "after \(outcome.attempts) attempts")
        // Before it listens, refused; between listen() and its first answer (slow on a loaded machine), no answer.
        #expect(reasons.isSubset(of: ["connection refused", "no answer in time"]), "\(reasons)")
        #expect(HTTPProbe(host: "127.0.0.1", port: port, path: "/no-such-file").probe() == .notYet("HTTP 404"))
    }
}
