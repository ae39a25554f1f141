import Foundation
import SyncOS
import Synchronization

@preconcurrency import Glibc

/// `pipe2(2)`, which Swift's Glibc module does not export.
@_silgen_name("pipe2") private func pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
/// `posix_spawn_file_actions_addclosefrom_np(3)` (glibc 2.34), which it does not export either.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

/// A child process whose output is collected as it arrives, so a test can wait for a line without sleeping.
public final class RunningProcess: Sendable {
    /// What a finished process left.
    public struct Result: Sendable, CustomStringConvertible {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var description: String { "status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    private struct Output {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var closed = 0
        var waiters: [(String, CheckedContinuation<Void, Never>)] = []
    }

    /// The child's pid.
    public let pid: Int32
    /// Its wait status once reaped; nil before.
    private let exit = Mutex<Int32?>(nil)
    private let reaped = DispatchSemaphore(value: 0)
    private let output = Mutex(Output())

    /// Starts `executable` with `arguments`; `environment` entries are added to (or override) the test's own. With
    /// `newProcessGroup`, the child leads a process group of its own (its pid), which ``signalGroup(_:)`` reaches
    /// with everything it started.
    ///
    /// Spawned with `posix_spawn`, not Foundation's `Process`, whose `run()` now and then crashes the whole test
    /// process (a SIGSEGV in memcpy under `Process.run()`, seen in full runs; the likely cause is an over-read of
    /// directory records while it lists the descriptors to close).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        newProcessGroup: Bool = false
    ) throws {
        var env = ProcessInfo.processInfo.environment
        env["SYNC_AGENT_SOCKET_PATH"] = nil
        for (key, value) in environment { env[key] = value }
        let input = try Self.pipe()
        let out = try Self.pipe()
        let err = try Self.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        // Nothing else of the test process reaches the child (as with Foundation's Process): a descriptor another
        // test has open (a file being written, a pipe's write end) would keep that file busy or that pipe open.
        _ = addCloseFrom(&actions, 3)
        let attributes = SpawnAttributes(newProcessGroup: newProcessGroup)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, attributes.pointer, argv, envp)
        for fd in [input.read, out.write, err.write] { close(fd) }
        guard spawned == 0 else {
            for fd in [input.write, out.read, err.read] { close(fd) }
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
        }
        self.pid = pid
        if let stdin { try? Descriptor.writeAll(input.write, stdin) }
        close(input.write)
        collect(out.read, isError: false)
        collect(err.read, isError: true)
        let child = pid
        Thread.detachNewThread { [self] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            exit.withLock { $0 = status }
            reaped.signal()
        }
    }

    /// A pipe whose two ends are closed on exec, so that no other child spawned meanwhile keeps one open.
    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe2(&fds, O_CLOEXEC) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return (fds[0], fds[1])
    }

    /// Reads `handle` on a thread of its own with raw `read(2)`: `FileHandle.availableData` stops the whole test
    /// process when a signal (a child's SIGCHLD) interrupts it.
    private func collect(_ fd: Int32, isError: Bool) {
        Thread.detachNewThread { [self] in
            while true {
                let data = (try? Descriptor.readSome(fd)) ?? []
                let ready = output.withLock { state -> [CheckedContinuation<Void, Never>] in
                    if data.isEmpty {
                        state.closed += 1
                    } else if isError {
                        state.stderr += data
                    } else {
                        state.stdout += data
                    }
                    let text = String(decoding: state.stdout + state.stderr, as: UTF8.self)
                    let done = state.waiters.filter { text.contains($0.0) || state.closed == 2 }
                    state.waiters.removeAll { text.contains($0.0) || state.closed == 2 }
                    return done.map(\.1)
                }
                ready.forEach { $0.resume() }
                if data.isEmpty {
                    close(fd)
                    return
                }
            }
        }
    }

    /// Returns once stdout or stderr contains `text` (or the process closed both).
    public func waitForOutput(containing text: String) async {
        await withCheckedContinuation { continuation in
            let now = output.withLock { state -> Bool in
                let all = String(decoding: state.stdout + state.stderr, as: UTF8.self)
                if all.contains(text) || state.closed == 2 { return true }
                state.waiters.append((text, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// stdout and stderr so far, together (stdout first).
    public var outputSoFar: String {
        output.withLock { String(decoding: $0.stdout + $0.stderr, as: UTF8.self) }
    }

    /// Whether the process has ended (and been reaped); never blocks.
    public var hasEnded: Bool { exit.withLock { $0 } != nil }

    /// Sends a signal to the process.
    public func signal(_ number: Int32) { kill(pid, number) }

    /// Sends a signal to the process group the process leads (started with `newProcessGroup`).
    public func signalGroup(_ number: Int32) { kill(-pid, number) }

    /// Waits for the process to exit and both pipes to close.
    public func finish() async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [reaped] in
                reaped.wait()
                reaped.signal()  // for a second finish()
                continuation.resume()
            }
        }
        await waitForOutput(containing: "\u{0}never\u{0}")
        let status = exit.withLock { $0 } ?? 0
        let signal = status & 0x7F
        return output.withLock {
            Result(
                status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal,
                stdout: String(decoding: $0.stdout, as: UTF8.self), stderr: String(decoding: $0.stderr, as: UTF8.self))
        }
    }

    /// Runs a command to the end.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil
    ) async throws -> Result {
        try await RunningProcess(executable, arguments, environment: environment, stdin: stdin).finish()
    }
}
