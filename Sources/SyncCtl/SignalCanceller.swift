@preconcurrency import Glibc
import Dispatch

/// Cancels a task on SIGINT or SIGTERM, for commands that end normally when interrupted (watch).
final class SignalCanceller {
    private let sources: [any DispatchSourceSignal]

    init<T, E>(_ task: Task<T, E>) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
