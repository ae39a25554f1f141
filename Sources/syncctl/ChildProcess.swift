#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The child of `syncctl run`, for the signal handler: 0 while there is none.
private let forwardingTarget = Atomic<Int32>(0)

/// A command run with the caller's stdin, stdout and stderr, with signals sent to `syncctl` forwarded to it.
struct ChildProcess {
    /// How the command ended.
    enum Outcome: Equatable {
        case exited(Int32)
        case signaled(Int32)

        /// The status `syncctl run` exits with: the command's own, 128+N for signal N (as shells report it).
        var exitStatus: Int32 {
            switch self {
            case .exited(let code): return code
            case .signaled(let signal): return 128 + signal
            }
        }

        /// The failure reason recorded on the agent: `exit 3`, `signal TERM`.
        var reason: String? {
            switch self {
            case .exited(0): return nil
            case .exited(let code): return "exit \(code)"
            case .signaled(let signal): return "signal \(ChildProcess.signalName(signal))"
            }
        }
    }

    let pid: pid_t

    /// Starts `arguments[0]` (searched in PATH) with `arguments`, the current environment plus `environment`.
    /// - Throws: the `errno` of the failure (`ENOENT` when not found, `EACCES` when not executable).
    static func spawn(_ arguments: [String], environment: [String: String]) throws(SpawnError) -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var entries: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let key = String(text.prefix { $0 != "=" })
            if environment[key] == nil { entries.append(text) }
            index += 1
        }
        entries += environment.map { "\($0.key)=\($0.value)" }.sorted()

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = entries.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], nil, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(code: result) }
        return ChildProcess(pid: pid)
    }

    /// The `errno` of a failed spawn.
    struct SpawnError: Error {
        var code: Int32
    }

    /// Forwards SIGINT, SIGTERM and SIGHUP sent to syncctl by another process (`kill`) to the child. Signals the
    /// terminal sends (Ctrl-C) already reach the child, which shares syncctl's process group, so they are not sent
    /// twice.
    func forwardSignals() {
        forwardingTarget.store(pid, ordering: .relaxed)
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = { number, info, _ in
                let target = forwardingTarget.load(ordering: .relaxed)
                guard target > 0, let info, info.pointee.si_code <= 0 else { return }
                kill(target, number)
            }
            action.sa_flags = SA_SIGINFO | SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// Waits for the child to end (on a thread of its own, so the caller's task does not block a worker).
    func wait() async -> Outcome {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            var thread = pthread_t()
            let box = Unmanaged.passRetained(WaitBox(pid: pid, continuation: continuation)).toOpaque()
            pthread_create(
                &thread, nil,
                { raw in
                    let box = Unmanaged<WaitBox>.fromOpaque(raw!).takeRetainedValue()
                    var status: Int32 = 0
                    while waitpid(box.pid, &status, 0) < 0 && errno == EINTR {}
                    forwardingTarget.store(0, ordering: .relaxed)
                    let signal = status & 0x7F
                    box.continuation.resume(returning: signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal))
                    return nil
                }, box)
            pthread_detach(thread)
        }
    }

    private final class WaitBox: @unchecked Sendable {
        // Handed to exactly one thread, which consumes it.
        let pid: pid_t
        let continuation: CheckedContinuation<Outcome, Never>
        init(pid: pid_t, continuation: CheckedContinuation<Outcome, Never>) {
            self.pid = pid
            self.continuation = continuation
        }
    }

    /// `TERM` for SIGTERM, or the number.
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "HUP", SIGINT: "INT", SIGQUIT: "QUIT", SIGILL: "ILL", SIGTRAP: "TRAP", SIGABRT: "ABRT",
            SIGBUS: "BUS", SIGFPE: "FPE", SIGKILL: "KILL", SIGUSR1: "USR1", SIGSEGV: "SEGV", SIGUSR2: "USR2",
            SIGPIPE: "PIPE", SIGALRM: "ALRM", SIGTERM: "TERM",
        ]
        return names[signal] ?? "\(signal)"
    }
}
