import Synchronization

@preconcurrency import Glibc

/// Where producers on any thread leave items for one consumer thread that sleeps in `poll()`: posting into an empty
/// queue writes a byte to a pipe, so the consumer can wait on ``wakeFD`` together with its other descriptors (a
/// terminal) and wake for either. Used by `sync-top`'s loop and by `sync-bench`'s headless dashboard.
public final class WakeQueue<Element: Sendable>: Sendable {
    private let queue = Mutex<[Element]>([])
    private let finished = Atomic<Bool>(false)
    /// Readable when something was posted (or ``wake()`` called) since the last ``drain()``.
    public let wakeFD: Int32
    /// The pipe's write end: writing a byte to it is what ``wake()`` does, and is async-signal-safe.
    public let writeFD: Int32

    public init() {
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

    /// Queues `item` and wakes the consumer if the queue was empty.
    public func post(_ item: Element) {
        let wasEmpty = queue.withLock { queue in
            defer { queue.append(item) }
            return queue.isEmpty
        }
        if wasEmpty { wake() }
    }

    /// Takes everything queued, oldest first.
    public func drain() -> [Element] { drainNoting().items }

    /// Notes that the producer is done, and wakes the consumer.
    public func finish() {
        finished.store(true, ordering: .releasing)
        wake()
    }

    /// Takes everything queued and says whether the producer had finished: when `finished` is true, nothing more
    /// will come and `items` holds the last of it; when false, ``wakeFD`` becomes readable for whatever comes next,
    /// the finish included. (Reading ``isFinished`` before ``drain()`` instead could miss a finish whose wake-up
    /// byte the drain consumed, and a consumer would then sleep forever.)
    public func drainNoting() -> (items: [Element], finished: Bool) {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wakeFD, &bytes, bytes.count) > 0 {}
        // After the bytes: a finish not seen here writes its byte later, so the next poll wakes for it. Before
        // the queue: a finish seen here came after every post, so the queue holds them all.
        let finished = isFinished
        let items = queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        return (items, finished)
    }

    /// Whether ``finish()`` was called.
    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// Makes ``wakeFD`` readable.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }
}
