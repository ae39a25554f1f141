@preconcurrency import Glibc
import SyncOS

@testable import SyncReadiness

/// A private temporary directory (0700) for a notify socket; ``remove()`` deletes it and what it holds.
struct NotifyDirectory {
    let path: String

    init() {
        var template = Array("/tmp/notify-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func remove() {
        _ = CommandProbe(command: "rm -rf '\(path)'").probe()
    }
}

extension NotifySocket {
    /// Waits (poll on the descriptor, no sleeping) until the messages received so far satisfy `done`, or 10 s pass;
    /// everything received.
    func collect(until done: ([NotifyMessage]) -> Bool) -> [NotifyMessage] {
        var messages: [NotifyMessage] = []
        let deadline = SystemClock.monotonic() + 10_000_000
        while !done(messages) {
            let left = deadline - SystemClock.monotonic()
            guard left > 0 else { break }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, Int32(left / 1000) + 1)
            messages += receive()
        }
        return messages
    }
}

/// A program run with extra environment variables, its output discarded; ``wait()`` gives its exit status.
struct SpawnedProgram {
    let pid: pid_t

    /// - Returns: nil when the program cannot be started (not installed).
    init?(_ arguments: [String], environment extra: [String: String]) {
        var environment = extra.map { "\($0.key)=\($0.value)" }
        var entry = environ
        while let variable = entry.pointee {
            let text = String(cString: variable)
            if !extra.keys.contains(where: { text.hasPrefix($0 + "=") }) { environment.append(text) }
            entry += 1
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let attributes = SpawnAttributes()
        guard posix_spawnp(&pid, arguments[0], &actions, attributes.pointer, argv, envp) == 0 else { return nil }
        self.pid = pid
    }

    /// The exit code, or 128 + the signal that ended it.
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f != 0 ? 128 + status & 0x7f : (status >> 8) & 0xff
    }
}
