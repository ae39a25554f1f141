import SyncTop
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the feed (any thread) leaves inputs for the thread that owns the terminal. Posting into an empty mailbox
/// writes a byte to a pipe, so the owner can sleep in `poll()` on the pipe and stdin together and wake for either.
final class Mailbox: Sendable {
    private let queue = Mutex<[DashboardInput]>([])
    private let finished = Atomic<Bool>(false)
    /// Readable when something was posted since the last ``drain()``.
    let wakeFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { fatalError("pipe() failed: errno \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(wakeFD)
        close(writeFD)
    }

    /// Queues `input` and wakes the owner if the queue was empty.
    func post(_ input: DashboardInput) {
        let wasEmpty = queue.withLock { queue in
            defer { queue.append(input) }
            return queue.isEmpty
        }
        if wasEmpty { wake() }
    }

    /// Takes everything queued, oldest first.
    func drain() -> [DashboardInput] {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wakeFD, &bytes, bytes.count) > 0 {}
        return queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
    }

    /// Notes that the feed returned, and wakes the owner.
    func finish() {
        finished.store(true, ordering: .releasing)
        wake()
    }

    /// Whether the feed returned.
    var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// Makes ``wakeFD`` readable. Async-signal-safe (one `write`), so signal handlers may call it through
    /// ``Mailbox/signalWakeFD``.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// The write end signal handlers use to wake the loop; -1 when no mailbox is installed.
    static let signalWakeFD = Atomic<Int32>(-1)

    /// Lets SIGINT/SIGTERM handlers wake this mailbox's owner.
    func installForSignals() { Mailbox.signalWakeFD.store(writeFD, ordering: .releasing) }
}
