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
        } catch let error as CommandFailure where error.status == .interrupted {
            throw Self.failure(what)
        } catch let error as WireError where error.code == .cancelled {
            throw Self.failure(what)
        }
    }

    /// The failure of a wait that a signal cancelled: exit 130, saying the agent dropped `what`.
    static func failure(_ what: String) -> CommandFailure {
        CommandFailure(.interrupted, "interrupted; \(what) was cancelled on the agent")
    }
}
