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

    /// Everything received until `program` exits (poll on the socket and on the program's pidfd, no sleeping),
    /// then what was left waiting. A sender that waits for its datagrams to be read (systemd-notify) is served.
    func collect(untilExitOf program: SpawnedProgram) -> [NotifyMessage] {
        var messages: [NotifyMessage] = []
        var entries = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: program.exitDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        while entries[1].revents == 0 {
            _ = poll(&entries, 2, 10_000)
            messages += receive()
        }
        return messages + receive()
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
        var ends: [Int32] = [0, 0]
        precondition(pipe(&ends) == 0, "pipe failed")
        // Not into other children spawned meanwhile (tests run in parallel): close-on-exec; fd 3 is a dup without it.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 3)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let attributes = SpawnAttributes()
        guard posix_spawnp(&pid, arguments[0], &actions, attributes.pointer, argv, envp) == 0 else {
            close(ends[0])
            close(ends[1])
            return nil
        }
        self.pid = pid
        close(ends[1])
        exitDescriptor = ends[0]
    }

    /// The read end of a pipe whose write end only the program (as its fd 3) and what it starts hold: it reports
    /// the end of the stream (POLLHUP) once they all exited.
    let exitDescriptor: Int32

    /// The exit code, or 128 + the signal that ended it.
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(exitDescriptor)
        return status & 0x7f != 0 ? 128 + status & 0x7f : (status >> 8) & 0xff
    }
}
