@preconcurrency import Glibc

/// Starts programs with `posix_spawn` (as `hyperfine -N` does: no shell) and waits for them.
enum Spawn {
    /// Where a child's stdout or stderr goes.
    enum Output {
        case null
        /// Appended to a file.
        case file(String)
        /// The write end of a pipe (the caller reads the other end and closes this one after spawning).
        case descriptor(Int32)
    }

    /// Starts `path` with `arguments`, stdin from /dev/null, the bench's environment plus `environment`.
    /// - Returns: the child's pid.
    static func start(
        _ path: String, _ arguments: [String], stdout: Output = .null, stderr: Output = .null,
        environment: [String] = []
    ) throws(BenchError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (fd, output) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch output {
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let file):
                posix_spawn_file_actions_addopen(&actions, fd, file, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .descriptor(let source): posix_spawn_file_actions_adddup2(&actions, source, fd)
            }
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var envStrings: [UnsafeMutablePointer<CChar>?] = []
        var cursor = environ
        while let entry = cursor.pointee {
            envStrings.append(strdup(entry))
            cursor += 1
        }
        envStrings += environment.map { strdup($0) }
        envStrings.append(nil)
        defer { envStrings.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, envStrings)
        guard result == 0 else { throw .errno("spawn \(path)", result) }
        return pid
    }

    /// Waits for `pid` to end. - Returns: its exit status, or 128 + the signal that ended it.
    @discardableResult
    static func wait(_ pid: pid_t) -> Int32 { waitWithUsage(pid).status }

    /// Waits for `pid` to end (`wait4`). - Returns: its exit status, or 128 + the signal that ended it, and the CPU
    /// time (user + system, all its threads) it used, in nanoseconds; 0 when the wait failed.
    static func waitWithUsage(_ pid: pid_t) -> (status: Int32, cpuNanos: UInt64) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            if errno != EINTR { return (-1, 0) }
        }
        let signal = status & 0x7f
        let cpu =
            (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000_000
            + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, UInt64(max(0, cpu)))
    }

    /// The absolute path of `program` found on `PATH` (as a shell finds it), or `nil`.
    static func which(_ program: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs a program to the end, its stdout read through a pipe and dropped (as a script reading it would).
    /// - Returns: the exit status and the wall time from spawn to exit, in nanoseconds.
    static func timedRun(_ path: String, _ arguments: [String], environment: [String] = []) throws(BenchError)
        -> (status: Int32, nanos: UInt64)
    {
        let pipe = try Syscalls.makePipe()
        let fds = [pipe.read, pipe.write]
        let started = Syscalls.nanos()
        let pid: pid_t
        do {
            pid = try start(path, arguments, stdout: .descriptor(fds[1]), environment: environment)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
        }
        close(fds[0])
        let status = wait(pid)
        return (status, Syscalls.nanos() - started)
    }
}
