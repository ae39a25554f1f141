@preconcurrency import Glibc
import SyncOS
import Synchronization

/// The child of `syncctl run`, for the signal handler: 0 while there is none.
private let forwardingTarget = Atomic<Int32>(0)
/// A signal that arrived before the child's pid was known, waiting to be forwarded (0: none).
private let pendingSignal = Atomic<Int32>(0)

/// A command run as a unit's script: with the caller's stdin, stdout and stderr (or its output sent to a file), and
/// optionally with signals sent to this process forwarded to it. Used by `syncctl run` and `sync-top --demo`.
public struct ChildProcess: Sendable {
    /// How the command ended.
    public enum Outcome: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)

        /// The status `syncctl run` exits with: the command's own, 128+N for signal N (as shells report it).
        public var exitStatus: Int32 {
            switch self {
            case .exited(let code): return code
            case .signaled(let signal): return 128 + signal
            }
        }

        /// The failure reason recorded on the agent: `exit 3`, `signal TERM`.
        public var reason: String? {
            switch self {
            case .exited(0): return nil
            case .exited(let code): return "exit \(code)"
            case .signaled(let signal): return "signal \(ChildProcess.signalName(signal))"
            }
        }
    }

    public let pid: pid_t
    /// Whether the child has ended; held while it is signalled so that a pid already reaped is never signalled.
    private let ended = EndLatch()

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `arguments[0]` (searched in PATH) with `arguments`, the current environment plus `environment`.
    /// - Parameters:
    ///   - newProcessGroup: put the child in a process group of its own, so ``signalGroup(_:)`` reaches everything
    ///     it starts.
    ///   - output: a file for the child's stdout and stderr (appended; created 0600) instead of the caller's.
    ///   - standardOutput: a descriptor that becomes the child's stdout (the write end of a pipe), instead of the
    ///     caller's; the caller closes its own copy after the spawn.
    ///   - standardError: the same for stderr.
    /// - Throws: the `errno` of the failure (`ENOENT` when not found, `EACCES` when not executable).
    public static func spawn(
        _ arguments: [String], environment: [String: String], newProcessGroup: Bool = false, output: String? = nil,
        standardOutput: Int32? = nil, standardError: Int32? = nil
    ) throws(SpawnError) -> ChildProcess {
        let attributes = SpawnAttributes(newProcessGroup: newProcessGroup)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let output {
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        if let standardOutput { posix_spawn_file_actions_adddup2(&actions, standardOutput, 1) }
        if let standardError { posix_spawn_file_actions_adddup2(&actions, standardError, 2) }

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
        let result = posix_spawnp(&pid, arguments[0], &actions, attributes.pointer, argv, envp)
        guard result == 0 else { throw SpawnError(code: result) }
        return ChildProcess(pid: pid)
    }

    /// The `errno` of a failed spawn.
    public struct SpawnError: Error {
        public var code: Int32
    }

    /// Sends `signal` to the child's whole process group (when it was started with `newProcessGroup`).
    public func signalGroup(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// Sends `signal` to the child unless it has ended (never to a pid that may belong to another process by now).
    public func signalUnlessEnded(_ signal: Int32) {
        ended.state.withLock { done in
            if !done { kill(pid, signal) }
        }
    }

    /// Forwards SIGINT, SIGTERM and SIGHUP sent to this process by another process (`kill`) to the child that is
    /// spawned next. Signals the terminal sends (Ctrl-C) already reach the child, which shares this process group,
    /// so they are not sent twice. Call it before ``spawn(_:environment:newProcessGroup:output:)`` and then
    /// ``forwardSignals()`` on the child: a signal that arrives in between is held and forwarded then.
    public static func prepareSignalForwarding() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = { number, info, _ in
                guard let info, info.pointee.si_code <= 0 else { return }
                // Hold it first, then hand it on if the child is known: whoever takes it from the box sends it,
                // so it is sent exactly once however this races with forwardSignals().
                pendingSignal.store(number, ordering: .sequentiallyConsistent)
                let target = forwardingTarget.load(ordering: .sequentiallyConsistent)
                guard target > 0 else { return }
                let held = pendingSignal.exchange(0, ordering: .sequentiallyConsistent)
                if held != 0 { kill(target, held) }
            }
            action.sa_flags = SA_SIGINFO | SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// Starts forwarding to this child (see ``prepareSignalForwarding()``), including a signal that came early.
    public func forwardSignals() {
        forwardingTarget.store(pid, ordering: .sequentiallyConsistent)
        let held = pendingSignal.exchange(0, ordering: .sequentiallyConsistent)
        if held != 0 { kill(pid, held) }
    }

    /// Waits for the child to end (on a thread of its own, so the caller's task does not block a worker). Call it
    /// once per child.
    public func wait() async -> Outcome {
        let pid = self.pid
        let ended = self.ended
        return await withCheckedContinuation { continuation in
            var thread = pthread_t()
            let box = Unmanaged.passRetained(WaitBox(pid: pid, continuation: continuation, ended: ended)).toOpaque()
            pthread_create(
                &thread, nil,
                { raw in
                    let box = Unmanaged<WaitBox>.fromOpaque(raw!).takeRetainedValue()
                    // Learn of the end without reaping, so the pid stays ours until `ended` says it has ended.
                    var info = siginfo_t()
                    while waitid(P_PID, id_t(box.pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
                    box.ended.state.withLock { $0 = true }
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

    /// Whether a child has ended, shared by its copies.
    private final class EndLatch: Sendable {
        let state = Mutex(false)
    }

    private final class WaitBox: @unchecked Sendable {
        // Handed to exactly one thread, which consumes it.
        let pid: pid_t
        let continuation: CheckedContinuation<Outcome, Never>
        let ended: EndLatch
        init(pid: pid_t, continuation: CheckedContinuation<Outcome, Never>, ended: EndLatch) {
            self.pid = pid
            self.continuation = continuation
            self.ended = ended
        }
    }

    /// `TERM` for SIGTERM, or the number.
    public static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "HUP", SIGINT: "INT", SIGQUIT: "QUIT", SIGILL: "ILL", SIGTRAP: "TRAP", SIGABRT: "ABRT",
            SIGBUS: "BUS", SIGFPE: "FPE", SIGKILL: "KILL", SIGUSR1: "USR1", SIGSEGV: "SEGV", SIGUSR2: "USR2",
            SIGPIPE: "PIPE", SIGALRM: "ALRM", SIGTERM: "TERM",
        ]
        return names[signal] ?? "\(signal)"
    }
}
