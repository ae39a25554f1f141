@preconcurrency import Glibc
import SyncOS

/// `file:PATH`: ready once PATH exists, learnt from the kernel (inotify), never by polling. It watches the nearest
/// directory on the way to PATH that exists (its parent, or an ancestor while the parent is still missing) and moves
/// the watch down as directories appear, so `file:/run/app/ready` works before `/run/app` is created.
///
/// Use ``wait(deadline:)`` on a thread of its own, or poll ``descriptor`` for input in an event loop and call
/// ``check()`` when it is readable. One owner: not for use from two threads at once. ``close()`` releases the
/// inotify descriptor.
public final class FileReadiness {
    public let path: String
    /// The inotify descriptor: readable when something changed in the watched directory.
    public let descriptor: Int32
    private var watch: Int32 = -1

    /// - Throws: ``ReadinessCheckError`` when the kernel gives no inotify descriptor (too many open, or none).
    public init(path: String) throws(ReadinessCheckError) {
        self.path = path
        descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else {
            let code = errno
            // inotify_init1 says EMFILE for the per-user limit of inotify instances too, which is what runs out.
            let limit = code == EMFILE ? ", or this user's inotify instances (fs.inotify.max_user_instances)" : ""
            throw ReadinessCheckError(
                "cannot watch \(path) for the file check: \(ProbeFailure(errno: code).reason)\(limit)")
        }
    }

    deinit { close() }

    /// Reads what the kernel reported, moves the watch if a directory on the way appeared or vanished, and says
    /// whether PATH exists now. Never blocks.
    public func check() -> ProbeResult {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        rearm()
        return access(path, F_OK) == 0 ? .passed : .notYet("does not exist yet")
    }

    /// Blocks until PATH exists or `deadline` (microseconds, monotonic; nil: no deadline) passes.
    public func wait(deadline: Int64?) -> ProbeResult {
        while true {
            let result = check()
            if result.isReady { return result }
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - SystemClock.monotonic()
                guard left > 0 else { return result }
                timeout = Int32(min(Int64(Int32.max), (left + 999) / 1000))
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, timeout) < 0 && errno != EINTR {
                return .notYet("cannot wait for \(path): \(ProbeFailure(errno: errno).reason)")
            }
        }
    }

    public func close() {
        guard watch != -2 else { return }
        watch = -2
        _ = Glibc.close(descriptor)
    }

    /// Watches the nearest existing directory on the way to PATH, for entries created or moved in, and for the
    /// directory itself going away.
    private func rearm() {
        guard watch != -2 else { return }
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
            if next == directory { return }
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
