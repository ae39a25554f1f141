import NIOPosix

@preconcurrency import Glibc

/// Tells when the journal's path may have stopped naming the journal, or its lock file's path the lock: an entry of
/// either name in their directory was deleted, created, or moved in or out. The kernel pushes these (inotify); a
/// thread of its own sleeps in `poll()` until one comes or the watch stops, so an idle agent is never woken to look.
///
/// The watch only says "look now": the journal itself decides, by comparing the files it holds with the ones at the
/// paths, whether anything must be put back.
final class JournalPathWatch: @unchecked Sendable {
    private let inotifyFD: Int32
    /// Written to stop the thread; read by it.
    private let wakePipe: (read: Int32, write: Int32)
    private let thread: NIOThreadPool
    private let names: [[UInt8]]

    /// Starts watching the directory of `path`, or returns `nil` when the kernel refuses (no inotify, too many
    /// watches): then the journal is still checked before every write.
    /// - Parameter changed: called on the watch's thread after every event about the path (and after a lost event).
    init?(path: String, changed: @escaping @Sendable () -> Void) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        names = [Array(name.utf8), Array((name + ".lock").utf8)]
        inotifyFD = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard inotifyFD >= 0 else { return nil }
        let mask = UInt32(IN_DELETE | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO)
        var fds: [Int32] = [0, 0]
        guard inotify_add_watch(inotifyFD, directory, mask) >= 0, pipe(&fds) == 0 else {
            Glibc.close(inotifyFD)
            return nil
        }
        wakePipe = (fds[0], fds[1])
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let (inotifyFD, wake, names) = (inotifyFD, wakePipe.read, self.names)
        thread.submit { _ in Self.run(inotifyFD: inotifyFD, wakeFD: wake, names: names, changed: changed) }
    }

    /// Stops the thread and closes the descriptors; waits for the thread to end.
    func stop() async {
        var byte: UInt8 = 0
        _ = Glibc.write(wakePipe.write, &byte, 1)
        try? await thread.shutdownGracefully()
        Glibc.close(inotifyFD)
        Glibc.close(wakePipe.read)
        Glibc.close(wakePipe.write)
    }

    private static func run(inotifyFD: Int32, wakeFD: Int32, names: [[UInt8]], changed: @Sendable () -> Void) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var polled = [
                pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&polled, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0, polled[1].revents == 0 else { return }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(inotifyFD, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count > 0 else { return }
            if concernsPath(buffer[..<count], names: names) { changed() }
        }
    }

    /// Whether the events in `bytes` name a watched entry, or some were lost (the queue overflowed).
    static func concernsPath(_ bytes: ArraySlice<UInt8>, names: [[UInt8]]) -> Bool {
        let header = MemoryLayout<inotify_event>.size
        var offset = bytes.startIndex
        while offset + header <= bytes.endIndex {
            // struct inotify_event: wd, mask, cookie, len (4 bytes each), then the name.
            let base = offset - bytes.startIndex
            let field = { (at: Int) in
                bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: base + at, as: UInt32.self) }
            }
            let mask = field(4)
            let length = Int(field(12))
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { return true }
            let start = offset + header
            let end = min(bytes.endIndex, start + length)
            // The name is padded with NUL bytes to its length.
            let entry = bytes[start..<end].prefix { $0 != 0 }
            if names.contains(where: { entry.elementsEqual($0) }) { return true }
            offset = start + length
        }
        return false
    }
}
