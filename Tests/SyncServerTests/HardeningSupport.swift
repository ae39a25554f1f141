import Foundation
import Logging
import Synchronization
import SyncProtocol
import SyncServer
import SyncTestSupport

/// Collects an agent's log lines so a test can check what was logged, and how often.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger that records every line at `level` and above.
    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "recorded") { _ in RecordingHandler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func record(_ line: String) { lines.withLock { $0.append(line) } }

    var all: [String] { lines.withLock { $0 } }

    /// How many lines contain `text`.
    func count(_ text: String) -> Int { all.filter { $0.contains(text) }.count }

    /// Waits (up to `seconds`) until a line contains `text`. - Returns: whether one did.
    func waitFor(_ text: String, seconds: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if count(text) > 0 { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return count(text) > 0
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

/// Polls `condition` until it holds or `seconds` pass. - Returns: whether it held.
func eventually(seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
