@preconcurrency import Glibc
import SyncOS

/// `cmd:SHELL-COMMAND`: passes when `/bin/sh -c SHELL-COMMAND` exits 0. The command's stdin, stdout and stderr are
/// /dev/null; it inherits the environment and working directory, and runs in a process group of its own. An attempt
/// waits for the command to exit, but never past the deadline it is given: then the whole process group is killed
/// (SIGKILL) and the attempt fails with "still running at the deadline". Without a deadline a command that may
/// hang should bound itself (`timeout 1 …`).
public struct CommandProbe: ReadinessProbe {
    public let command: String

    /// The result of an attempt cut off at the deadline. It says nothing about the service, so a loop that has an
    /// earlier result reports that one instead.
    public static let cutOff = ProbeResult.notYet("still running at the deadline")

    public init(command: String) {
        self.command = command
    }

    public func probe() -> ProbeResult {
        probe(deadline: nil)
    }

    public var endsAtDeadline: Bool { true }

    /// One attempt that ends by `deadline` (microseconds, monotonic; nil: waits for the command however long).
    public func probe(deadline: Int64?) -> ProbeResult {
        let attributes = SpawnAttributes(newProcessGroup: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let words: [String] = ["sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, attributes.pointer, argv, environ)
        guard spawned == 0 else { return .notYet("cannot start /bin/sh: \(ProbeFailure(errno: spawned).reason)") }
        let killed = deadline.map { Self.killAtDeadline(pid, deadline: $0) } ?? false
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                return .notYet("cannot wait for /bin/sh: \(ProbeFailure(errno: errno).reason)")
            }
        }
        if killed { return Self.cutOff }
        let signal = status & 0x7f
        if signal != 0 { return .notYet("signal \(signal)") }
        let code = (status >> 8) & 0xff
        return code == 0 ? .passed : .notYet("exit \(code)")
    }

    /// Waits until the shell `pid` exits (not reaping it) or `deadline` passes; at the deadline kills its process
    /// group. A thread blocked in `waitid` says when it exited through a socket pair that this thread polls.
    /// - Returns: whether it was killed.
    private static func killAtDeadline(_ pid: pid_t, deadline: Int64) -> Bool {
        // No descriptors to wait on: wait without the deadline rather than not at all.
        guard let (reader, writer) = wakePair() else { return false }
        startThread {
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            var byte: UInt8 = 1
            _ = write(writer, &byte, 1)
        }
        var killed = false
        while true {
            let left = deadline - SystemClock.monotonic()
            if left <= 0 && !killed {
                // Still a zombie at worst (nobody reaped it), so the group id is still this command's.
                kill(-pid, SIGKILL)
                killed = true
            }
            var entry = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
            let wait = killed ? -1 : Int32(min(Int64(Int32.max), (left + 999) / 1000))
            if poll(&entry, 1, wait) > 0 { break }
        }
        close(reader)
        close(writer)
        return killed
    }
}
