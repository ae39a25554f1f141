@preconcurrency import Glibc

/// How the journal's files are opened: one agent per journal (a lock beside it), and only a plain file of the
/// user's own, refused otherwise with what to do.
extension Journal {
    /// The lock file that goes with the journal at `path`. It is never renamed or removed, so the lock holds
    /// while compactions replace the journal itself; it holds the pid of the agent that has it.
    static func lockPath(for path: String) -> String { path + ".lock" }

    /// Takes the journal's lock for the life of the returned descriptor and writes this process's pid into it.
    /// - Throws: ``Failure`` naming the holder's pid when another agent has it.
    static func lock(_ path: String) throws(Failure) -> Int32 {
        let lockPath = lockPath(for: path)
        let fd = try openRegularFile(lockPath, describedAs: "lock file of journal", journal: path)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = readPid(fd)
            Glibc.close(fd)
            guard code == EWOULDBLOCK else {
                errno = code
                throw Failure(description: "lock journal \(path) (\(lockPath)): \(errorText())", code: code)
            }
            throw Failure(
                description: "journal \(path) is in use by pid \(holder.map(String.init) ?? "?") (another "
                    + "sync-agent; the lock is \(lockPath)). Two agents on one journal would lose each other's "
                    + "changes: stop that agent first, or give this one another --state-file", code: EWOULDBLOCK)
        }
        let text = "\(getpid())\n"
        guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.utf8.count, 0) == text.utf8.count else {
            let failure = Failure(description: "write the pid into \(lockPath): \(errorText())", code: errno)
            Glibc.close(fd)
            throw failure
        }
        return fd
    }

    /// Takes the lock again when its file was deleted or replaced while the agent ran: a second agent would
    /// otherwise lock a new file of that name and write to the same journal. Costs an `fstat` and an `lstat`.
    func keepLock() {
        guard lockFD >= 0 else { return }
        let lockPath = Self.lockPath(for: path)
        var own = stat()
        var there = stat()
        guard fstat(lockFD, &own) == 0 else { return }
        if lstat(lockPath, &there) == 0, there.st_dev == own.st_dev, there.st_ino == own.st_ino { return }
        do throws(Failure) {
            let fd = try Self.lock(path)
            Glibc.close(lockFD)
            lockFD = fd
            lockLost = false
            let message =
                "the journal's lock file was deleted or replaced while the agent ran; the agent took "
                + "the journal's lock again, so no second agent can share the journal"
            logger?.warning("\(message)", metadata: ["lock": "\(lockPath)"])
        } catch {
            // Tried again at every write and every change in the directory: said once.
            guard !lockLost else { return }
            lockLost = true
            let message =
                "the journal's lock file was deleted or replaced while the agent ran, and the agent "
                + "could not take the lock again: \(error.description)"
            logger?.error("\(message)", metadata: ["lock": "\(lockPath)"])
        }
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").first ?? "")
    }

    /// Opens (or creates, 0600) a plain file of the user's own for reading and writing.
    /// - Throws: ``Failure`` saying what the path is instead and what to do: a symbolic link, a FIFO (which would
    ///   block the start), a directory, a missing directory, another user's file.
    static func openRegularFile(_ file: String, describedAs what: String, journal: String) throws(Failure) -> Int32 {
        let advice = "choose another --state-file, or --ephemeral"
        // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        let fd = Glibc.open(file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            let code = errno
            switch code {
            case ELOOP:
                throw Failure(
                    description: "\(what) \(file) is a symbolic link; the agent does not follow links to its state: "
                        + "give the real path with --state-file", code: code)
            case EISDIR:
                throw Failure(
                    description: "\(what) \(file) is not a regular file (it is a directory); \(advice)", code: code)
            case ENOENT, ENOTDIR:
                let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
                throw Failure(
                    description: "cannot create journal \(journal): directory \(directory.isEmpty ? "/" : directory) "
                        + "does not exist; create it, or \(advice)", code: code)
            default:
                throw Failure(description: "open \(what) \(file): \(errorText()); \(advice)", code: code)
            }
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let failure = Failure(description: "stat \(what) \(file): \(errorText())", code: errno)
            Glibc.close(fd)
            throw failure
        }
        if info.st_mode & S_IFMT != S_IFREG {
            Glibc.close(fd)
            throw Failure(
                description: "\(what) \(file) is not a regular file (it is \(kind(info.st_mode))); \(advice)")
        }
        if info.st_uid != geteuid() {
            Glibc.close(fd)
            throw Failure(
                description: "\(what) \(file) belongs to uid \(info.st_uid), not to you (uid \(geteuid())): "
                    + "its owner could change the state this agent restores. Use a file of your own "
                    + "(--state-file), or take this one over (chown)")
        }
        // Compactions write the journal 0600; a file made by hand gets the same.
        if info.st_mode & 0o077 != 0 { fchmod(fd, 0o600) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFDIR: return "a directory"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "of type \(String(mode & S_IFMT, radix: 8))"
        }
    }

    /// Creates `file` afresh, 0600, for a compaction or a repair: whatever was left at that path (a compaction cut
    /// short, or a link to another file) is unlinked first, never truncated through.
    static func createFresh(_ file: String) throws(Failure) -> Int32 {
        if unlink(file) != 0 && errno != ENOENT {
            throw Failure(description: "remove leftover \(file): \(errorText())", code: errno)
        }
        let fd = Glibc.open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "open \(file): \(errorText())", code: errno) }
        return fd
    }
}
