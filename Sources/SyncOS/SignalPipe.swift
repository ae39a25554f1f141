import Synchronization

@preconcurrency import Glibc

/// The write ends of the ``SignalPipe``s in use, read by their signal handler; -1 marks a free slot.
private let pipeWriteEnds = InlineArray<8, Atomic<Int32>> { _ in Atomic(-1) }
/// The signals each slot's pipe asked for, one bit per signal number.
private let pipeSignals = InlineArray<8, Atomic<UInt64>> { _ in Atomic(0) }

private func signalBit(_ number: Int32) -> UInt64 {
    number > 0 && number < 64 ? UInt64(1) << UInt64(number) : 0
}

/// Signals as readable bytes, for a single thread that waits in `poll(2)` and must also notice SIGINT or SIGTERM:
/// a handler that only writes the signal's number to a pipe (async-signal-safe: one atomic load, one `write`), whose
/// read end ``fd`` goes into the `poll` beside the socket. No thread and no Dispatch source: ``SignalWatcher``, which
/// needs both, is for the rest of the program.
///
/// Up to 8 pipes at a time per process, each told of the signals it asked for; they are meant to be made and
/// restored in nested order (each puts back the handler it found). ``restore()`` puts the previous handlers back (the default action, usually) and closes the pipe;
/// a signal that came before it is in ``take()``'s answer, never lost.
public final class SignalPipe {
    /// What `poll(2)` watches: readable when a signal came.
    public let fd: Int32
    private let writeEnd: Int32
    private let slot: Int
    private var previous: [(Int32, sigaction)] = []
    private var restored = false

    /// Catches `signals` from now on. `nil` when the process is out of descriptors or 8 pipes are in use.
    public init?(signals: [Int32]) {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            return nil
        }
        guard
            let slot = pipeWriteEnds.indices.first(where: { index in
                pipeWriteEnds[index].compareExchange(expected: -1, desired: ends[1], ordering: .acquiringAndReleasing)
                    .exchanged
            })
        else {
            close(ends[0])
            close(ends[1])
            return nil
        }
        self.slot = slot
        pipeSignals[slot].store(signals.reduce(0) { $0 | signalBit($1) }, ordering: .releasing)
        fd = ends[0]
        writeEnd = ends[1]
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                for index in pipeWriteEnds.indices
                where pipeSignals[index].load(ordering: .acquiring) & signalBit(number) != 0 {
                    let end = pipeWriteEnds[index].load(ordering: .acquiring)
                    if end >= 0 { _ = write(end, &byte, 1) }
                }
            }
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(number, &action, &old)
            previous.append((number, old))
        }
    }

    /// The signals that came since the last call, in order (empty when none did). Never blocks.
    public func take() -> [Int32] {
        var numbers: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return numbers }
            numbers += buffer[..<count].map { Int32($0) }
        }
    }

    /// Puts back the handlers that were there before and closes the pipe.
    /// - Returns: the signals that came and were not taken yet.
    @discardableResult
    public func restore() -> [Int32] {
        guard !restored else { return [] }
        restored = true
        for (number, var old) in previous { sigaction(number, &old, nil) }
        let late = take()
        pipeSignals[slot].store(0, ordering: .releasing)
        pipeWriteEnds[slot].store(-1, ordering: .releasing)
        close(fd)
        close(writeEnd)
        return late
    }

    deinit {
        restore()
    }
}
