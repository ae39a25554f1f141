import SyncOS
import Synchronization
import Testing

@preconcurrency import Glibc

/// `SignalWatcher` with SIGUSR2, which nothing else in the test process uses; the tests run one after the other.
@Suite("SignalWatcher", .serialized)
struct SignalWatcherTests {
    /// Counts handler calls and lets a test await the next one.
    final class Calls: Sendable {
        private let state = Mutex<(count: Int, waiter: CheckedContinuation<Void, Never>?)>((0, nil))

        var count: Int { state.withLock { $0.count } }

        func record() {
            let waiter = state.withLock { state in
                state.count += 1
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        /// Returns once the handler has run `count` times in all.
        func wait(forCount count: Int) async {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state in
                    if state.count >= count { return true }
                    state.waiter = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        }
    }

    @Test func runsTheHandlerWithTheSignalsNumber() async {
        let calls = Calls()
        let numbers = Mutex<[Int32]>([])
        let watcher = SignalWatcher(signals: [SIGUSR2], once: false) { number in
            numbers.withLock { $0.append(number) }
            calls.record()
        }
        kill(getpid(), SIGUSR2)
        await calls.wait(forCount: 1)
        kill(getpid(), SIGUSR2)
        await calls.wait(forCount: 2)
        withExtendedLifetime(watcher) {}
        #expect(numbers.withLock { $0 } == [SIGUSR2, SIGUSR2])
    }

    @Test func withOnceOnlyTheFirstSignalCounts() async {
        let calls = Calls()
        let first = SignalWatcher(signals: [SIGUSR2]) { _ in calls.record() }
        kill(getpid(), SIGUSR2)
        await calls.wait(forCount: 1)
        // A second watcher on the same signal proves the second signal was delivered, and not to `first`'s handler.
        let delivered = Calls()
        let second = SignalWatcher(signals: [SIGUSR2], once: false) { _ in delivered.record() }
        kill(getpid(), SIGUSR2)
        await delivered.wait(forCount: 1)
        withExtendedLifetime((first, second)) {}
        #expect(calls.count == 1)
    }

    @Test func namesTheSignalsTheAgentLogs() {
        #expect(SignalWatcher.name(SIGTERM) == "SIGTERM")
        #expect(SignalWatcher.name(SIGVTALRM) == "SIGVTALRM")
        #expect(SignalWatcher.name(SIGSEGV) == "signal \(SIGSEGV)")
    }
}
