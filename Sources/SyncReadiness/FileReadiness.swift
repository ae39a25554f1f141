@preconcurrency import Glibc
import SyncOS

/// `file:PATH`: ready once PATH exists, learnt from the kernel (inotify), never by polling while the kernel can
/// watch it. It watches the nearest directory on the way to PATH that exists (its parent, or an ancestor while the
/// parent is still missing) and moves the watch down as directories appear, so `file:/run/app/ready` works before
/// `/run/app` is created.
///
/// When the kernel cannot watch (a user may hold only `fs.inotify.max_user_instances` inotify instances, 128 by
/// default, and editors and file watchers use many; or watches run out), the check does not fail: it falls back
/// to looking at PATH on a backoff schedule, at once and then 5 ms doubling to every 250 ms (``nextCheck``).
///
/// Use ``wait(deadline:)`` on a thread of its own, or, in an event loop, poll ``descriptor`` for input (when it is
/// not -1) and wake by ``nextCheck`` (when it is not nil), and call ``check()`` then. One owner: not for use from
/// two threads at once. ``close()`` releases the inotify descriptor.
public final class FileReadiness {
    public let path: String
    /// The inotify descriptor: readable when something changed in the watched directory; -1 when the kernel gave
    /// none, and the path is looked at on ``nextCheck``'s schedule instead.
    public let descriptor: Int32
    private var watch: Int32 = -1
    /// Between two looks at the path while the kernel does not watch it (microseconds); 0 before the first.
    private var pollDelay: Int64 = 0
    private var lastCheck: Int64 = 0

    /// The fallback's schedule: the first delay and the cap, in microseconds.
    static let firstPollDelay: Int64 = 5_000
    static let maxPollDelay: Int64 = 250_000

    /// Starts watching (see the type's comment for what happens when the kernel cannot).
    public convenience init(path: String) {
        self.init(path: path, kernel: true)
    }

    /// - Parameter kernel: false to look at the path on the schedule as if inotify were refused (for tests).
    init(path: String, kernel: Bool) {
        self.path = path
        descriptor = kernel ? inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK)) : -1
    }

    /// Whether the kernel watches the path, so that ``check()`` is needed only when ``descriptor`` is readable.
    public var isWatched: Bool { descriptor >= 0 && watch >= 0 }

    /// When (monotonic microseconds) ``check()`` must run again because the kernel does not watch the path; nil
    /// while it does.
    public var nextCheck: Int64? { isWatched ? nil : lastCheck + pollDelay }

    deinit { close() }

    /// Reads what the kernel reported, moves the watch if a directory on the way appeared or vanished, and says
    /// whether PATH exists now. Never blocks.
    public func check() -> ProbeResult {
        if descriptor >= 0 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
            rearm()
        }
        if !isWatched {
            lastCheck = SystemClock.monotonic()
            pollDelay = pollDelay == 0 ? Self.firstPollDelay : min(pollDelay * 2, Self.maxPollDelay)
        }
        return access(path, F_OK) == 0 ? .passed : .notYet("does not exist yet")
    }

    /// Blocks until PATH exists or `deadline` (microseconds, monotonic; nil: no deadline) passes.
    public func wait(deadline: Int64?) -> ProbeResult {
        while true {
            let result = check()
            if result.isReady { return result }
            var timeout: Int32 = -1
            if let deadline, deadline - SystemClock.monotonic() <= 0 { return result }
            if let wakeAt = [deadline, nextCheck].compactMap({ $0 }).min() {
                let left = max(0, wakeAt - SystemClock.monotonic())
                timeout = Int32(min(Int64(Int32.max), (left + 999) / 1000))
            }
            // A descriptor of -1 is ignored by poll(2), which then only sleeps until the next look.
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, timeout) < 0 && errno != EINTR {
                return .notYet("cannot wait for \(path): \(ProbeFailure(errno: errno).reason)")
            }
        }
    }

    public func close() {
        guard watch != -2 else { return }
        watch = -2
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }

    /// Watches the nearest existing directory on the way to PATH, for entries created or moved in, and for the
    /// directory itself going away.
    private func rearm() {
        guard watch != -2, descriptor >= 0 else { return }
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        var directory = Self.parent(of: path)
        while true {
            let added = inotify_add_watch(descriptor, directory, mask)
            if added >= 0 {
                if watch >= 0 && added != watch { inotify_rm_watch(descriptor, watch) }
                watch = added
                return
            }
            let next = Self.parent(of: directory)
            if next == directory {
                // Not even "/" could be watched (the user's watches ran out): look at the path on the schedule.
                if watch >= 0 { inotify_rm_watch(descriptor, watch) }
                watch = -1
                return
            }
            directory = next
        }
    }

    /// The directory part of `path`: "/a/b" → "/a", "/a" → "/", "a" → ".", "." → ".".
    static func parent(of path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == 0 { return "/" }
        return String(decoding: bytes[..<slash], as: UTF8.self)
    }
}
