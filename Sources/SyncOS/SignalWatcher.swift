import Dispatch
import Synchronization

@preconcurrency import Glibc

/// Signals that came while a ``SignalWatcher`` was being set up, one bit per signal number.
private let notedSignals = Atomic<UInt64>(0)

/// Runs a handler, on a Dispatch queue, when one of the given signals arrives: the one way the executables handle
/// SIGINT, SIGTERM and friends (the agent's shutdown, syncctl's cancelled waits, sync-top's quit). The handler is
/// ordinary code, not a C signal handler: it may lock, allocate and log.
///
/// While the watcher lives, the signals' default action (most end the process at once) no longer applies; a thread
/// that unblocks one of them with `pthread_sigmask` would lose it. Keep the watcher alive for as long as the
/// signals must be handled (`withExtendedLifetime`); it stops watching when it is released.
public final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    /// Starts watching; returns once every signal is watched, so a signal sent after that is never lost.
    /// - Parameters:
    ///   - signals: the signal numbers (`SIGINT`, `SIGTERM`…).
    ///   - once: run the handler for the first signal only; later ones are ignored.
    ///   - handler: called with the signal's number.
    public init(signals: [Int32], once: Bool = true, handler: @escaping @Sendable (Int32) -> Void) {
        let fired = Mutex(false)
        let deliver: @Sendable (Int32) -> Void = { number in
            let repeated = fired.withLock { fired in
                defer { fired = true }
                return fired
            }
            if once, repeated { return }
            handler(number)
        }
        let registered = DispatchSemaphore(value: 0)
        sources = signals.map { number in
            // Until Dispatch has registered the source (and installed its own handler), the default action (most
            // end the process) must not apply, nor may the signal be lost: a handler that only notes it takes the
            // default's place, and what it noted is delivered below. A handler already there (Dispatch's own, from
            // an earlier watcher) is kept: Dispatch installs its handler only once per signal.
            if Self.hasDefaultAction(number) { Self.noteUntilRegistered(number) }
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { deliver(number) }
            source.setRegistrationHandler { registered.signal() }
            source.resume()
            return source
        }
        // Dispatch registers sources on its own thread; a signal that came meanwhile was noted.
        for _ in sources { registered.wait() }
        let mask = signals.reduce(UInt64(0)) { $0 | Self.bit($1) }
        let noted = notedSignals.bitwiseAnd(~mask, ordering: .acquiringAndReleasing).oldValue & mask
        for number in signals where noted & Self.bit(number) != 0 {
            DispatchQueue.global().async { deliver(number) }
        }
    }

    private static func bit(_ number: Int32) -> UInt64 {
        number > 0 && number < 64 ? UInt64(1) << UInt64(number) : 0
    }

    /// Installs a handler that only records `number` in ``notedSignals`` (async-signal-safe: one atomic operation).
    private static func noteUntilRegistered(_ number: Int32) {
        _ = notedSignals.load(ordering: .relaxed)  // initialised here, never first in a signal handler
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            notedSignals.bitwiseOr(SignalWatcher.bit(number), ordering: .acquiringAndReleasing)
        }
        sigemptyset(&action.sa_mask)
        sigaction(number, &action, nil)
    }

    deinit {
        sources.forEach { $0.cancel() }
    }

    private static func hasDefaultAction(_ number: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(number, nil, &current) == 0 else { return true }
        let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        return handler == unsafeBitCast(SIG_DFL, to: Int.self)
    }

    /// `SIGHUP`, `SIGUSR1`…; `signal N` for a number without a name here.
    public static func name(_ number: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
            SIGALRM: "SIGALRM", SIGVTALRM: "SIGVTALRM",
        ]
        return names[number] ?? "signal \(number)"
    }
}
