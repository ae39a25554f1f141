import Foundation
import Logging
import Synchronization
import SyncProtocol
import SyncServer
import SyncTestSupport

/// Collects an agent's log lines so a test can check what was logged, and how often.
final class LogRecorder: Sendable {
    private struct State {
        var lines: [String] = []
        var waiters: [(id: Int, text: String, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID = 0
    }

    private let state = Mutex(State())

    /// A logger that records every line at `level` and above.
    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "recorded") { _ in RecordingHandler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func record(_ line: String) {
        let ready = state.withLock { state in
            state.lines.append(line)
            let ready = state.waiters.filter { line.contains($0.text) }
            state.waiters.removeAll { line.contains($0.text) }
            return ready
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    var all: [String] { state.withLock { $0.lines } }

    /// How many lines contain `text`.
    func count(_ text: String) -> Int { all.filter { $0.contains(text) }.count }

    /// Waits until a line contains `text`, woken by the line itself; gives up after `seconds`.
    /// - Returns: whether one did.
    func waitFor(_ text: String, seconds: Double = 10) async -> Bool {
        await withCheckedContinuation { continuation in
            let id = state.withLock { state -> Int? in
                if state.lines.contains(where: { $0.contains(text) }) { return nil }
                state.nextID += 1
                state.waiters.append((state.nextID, text, continuation))
                return state.nextID
            }
            guard let id else { return continuation.resume(returning: true) }
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                let late = state.withLock { state in
                    defer { state.waiters.removeAll { $0.id == id } }
                    return state.waiters.first { $0.id == id }
                }
                late?.continuation.resume(returning: false)
            }
        }
    }
}

private struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        recorder.record("\(event.level) \(event.message) \(fields)")
    }
}

extension RawConnection {
    /// Sends a request and returns the next frame.
    func request(_ text: String) async throws -> JSON? {
        await send(text + "\n")
        return try await readFrame()
    }

    /// Makes reads give up after `seconds` instead of blocking for ever.
    func setReadTimeout(_ seconds: Double) {
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }
}

extension JSON {
    var errorCode: String? { self["error"]?["code"]?.stringValue }
    var errorMessage: String { self["error"]?["message"]?.stringValue ?? "" }
}
