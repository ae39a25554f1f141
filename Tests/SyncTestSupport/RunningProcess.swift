import Foundation
import SyncOS
import Synchronization

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

    private let process: Process
    private let output = Mutex(Output())

    /// Starts `executable` with `arguments`; `environment` entries are added to (or override) the test's own.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SYNC_AGENT_SOCKET_PATH"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        self.process = process
        try process.run()
        if let stdin { try? Descriptor.writeAll(input.fileHandleForWriting.fileDescriptor, stdin) }
        try? input.fileHandleForWriting.close()
        collect(out.fileHandleForReading, isError: false)
        collect(err.fileHandleForReading, isError: true)
    }

    public var pid: Int32 { process.processIdentifier }

    /// Reads `handle` on a thread of its own with raw `read(2)`: `FileHandle.availableData` stops the whole test
    /// process when a signal (a child's SIGCHLD) interrupts it.
    private func collect(_ handle: FileHandle, isError: Bool) {
        let fd = handle.fileDescriptor
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
                if data.isEmpty { return }
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

    /// Sends a signal to the process.
    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and both pipes to close.
    public func finish() async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [process] in
                process.waitUntilExit()
                continuation.resume()
            }
        }
        await waitForOutput(containing: "\u{0}never\u{0}")
        return output.withLock {
            Result(
                status: process.terminationReason == .uncaughtSignal
                    ? 128 + process.terminationStatus
                    : process.terminationStatus,
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
