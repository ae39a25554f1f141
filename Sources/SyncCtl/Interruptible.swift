@preconcurrency import Glibc
import SyncOS
import SyncProtocol

/// Runs a waiting request so that Ctrl-C (SIGINT) or SIGTERM cancels it: the cancellation reaches the agent as a
/// `cancel` request, which drops the wait, and the command exits 130.
enum Interruptible {
    static func run<T: Sendable>(what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { _ in task.cancel() }
        defer { withExtendedLifetime(signals) {} }
        do {
            return try await task.value
        } catch let failure as CommandFailure where failure.status == .interrupted {
            throw CommandFailure(.interrupted, "interrupted; \(what) was cancelled on the agent")
        } catch let error as WireError where error.code == .cancelled {
            throw CommandFailure(.interrupted, "interrupted; \(what) was cancelled on the agent")
        }
    }
}
