@preconcurrency import Glibc
import SyncOS

/// `cmd:SHELL-COMMAND`: passes when `/bin/sh -c SHELL-COMMAND` exits 0. The command's stdin, stdout and stderr are
/// /dev/null; it inherits the environment and working directory. An attempt waits for the command to exit: a
/// command that may hang should bound itself (`timeout 1 …`).
public struct CommandProbe: ReadinessProbe {
    public let command: String

    public init(command: String) {
        self.command = command
    }

    public func probe() -> ProbeResult {
        let attributes = SpawnAttributes()
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
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                return .notYet("cannot wait for /bin/sh: \(ProbeFailure(errno: errno).reason)")
            }
        }
        let signal = status & 0x7f
        if signal != 0 { return .notYet("signal \(signal)") }
        let code = (status >> 8) & 0xff
        return code == 0 ? .passed : .notYet("exit \(code)")
    }
}
