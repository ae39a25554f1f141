@preconcurrency import Glibc
import Logging
import SyncCore
import SyncOS
import SyncProtocol

/// The agent's journal: every event, one JSON line each, synced to disk before the change is acknowledged.
///
/// Format (JSON lines): a header `{"journal":"sync-agent","version":1,"instance":"…"}`, then events as in the
/// stream (`{"seq":…,"time_us":…,"kind":…}`), and, after a compaction, a `{"snapshot":{…}}` line followed by the
/// recent events it already includes (kept as history) and the events after it.
///
/// One agent per journal: the journal is locked (`flock` on `<path>.lock`, which holds the agent's pid) from
/// ``open(path:clock:logger:)`` to ``close()``. Before each write the journal checks that its path still names its
/// file, and puts a complete copy back when the file was deleted or replaced (see `Journal+Repair.swift`).
///
/// Not thread-safe: after ``open(path:clock:logger:)`` every call comes from the agent's single journal thread.
final class Journal {
    /// What the journal held when it was opened.
    struct Contents {
        /// The history's name (see ``HelloInfo/instance``).
        var instance: String
        /// The graph rebuilt from the file; made from ``graph`` when asked for, when the reader replayed one.
        var snapshot: GraphSnapshot {
            get { storedSnapshot ?? graph?.snapshot ?? GraphSnapshot(sequence: 0, units: [], edges: []) }
            set { storedSnapshot = newValue }
        }
        private(set) var storedSnapshot: GraphSnapshot?
        /// The sequence number of the last event in the file, without making the snapshot.
        var sequence: UInt64 { storedSnapshot?.sequence ?? graph.map { $0.nextSequence - 1 } ?? 0 }
        /// The events of the file, oldest first, for the stream's history.
        var events: [SyncEvent]
        /// Number of lines in the file after the header.
        var lines: Int
        /// A torn last line that was dropped, if any.
        var droppedTail: String?
        /// The graph the reader replayed, equal to one built from ``snapshot`` (see ``StoredState/graph``).
        var graph: UnitGraph?

        /// What a file holds: its graph as `snapshot`, or as `graph` alone (the snapshot is then made when asked
        /// for).
        init(
            instance: String, snapshot: GraphSnapshot?, events: [SyncEvent], lines: Int, droppedTail: String?,
            graph: UnitGraph? = nil
        ) {
            precondition(snapshot != nil || graph != nil)
            self.instance = instance
            self.storedSnapshot = snapshot
            self.events = events
            self.lines = lines
            self.droppedTail = droppedTail
            self.graph = graph
        }
    }

    /// The journal could not be used; the message says what happened, where, and what to do.
    typealias Failure = StoreFailure

    let path: String
    private(set) var fd: Int32
    /// Holds the lock for as long as it is open; -1 once closed.
    var lockFD: Int32
    /// The lock file was taken from under the agent and could not be locked again (said once in the log).
    var lockLost = false
    let logger: Logger?
    /// Lines written since the last compaction (or since opening).
    private(set) var lineCount: Int
    /// Size of the file up to the end of the last line known to be on disk: what survives a crash.
    private(set) var committedLength: Int
    /// Tests only: the next appends (or compactions) fail with this errno, an append after writing half its bytes,
    /// as a full disk would.
    var injectedFailures: (code: Int32, count: Int)?

    private init(path: String, fd: Int32, lockFD: Int32, logger: Logger?, lineCount: Int, committedLength: Int) {
        self.path = path
        self.fd = fd
        self.lockFD = lockFD
        self.logger = logger
        self.lineCount = lineCount
        self.committedLength = committedLength
    }

    deinit { close() }

    /// Closes the file and releases the lock, so another agent may open the journal. Idempotent.
    func close() {
        guard lockFD >= 0 else { return }
        Glibc.close(fd)
        Glibc.close(lockFD)
        lockFD = -1
    }

    /// Writes from now on go to `newFD`, a complete copy of the journal now at the path.
    func replaceDescriptor(with newFD: Int32) {
        Glibc.close(fd)
        fd = newFD
    }

    /// Locks, opens (or creates) the journal at `path` and reads it back.
    /// - Parameters:
    ///   - logger: where a journal put back after it was deleted or replaced is reported.
    ///   - keepsEvents: how many of the newest events ``Contents/events`` holds (all by default).
    /// - Throws: ``Failure`` when another agent holds the journal (naming its pid), when the path is not a plain
    ///   file of the user's own, when it cannot be opened, or when a line other than the last is corrupt or
    ///   describes what no request could have produced (the file is left untouched). A torn last line (power lost
    ///   mid-write) is dropped and reported in ``Contents``.
    static func open(
        path: String, clock: @escaping UnitGraph.Clock, logger: Logger? = nil, keepsEvents: Int = .max
    ) throws(Failure) -> (Journal, Contents) {
        let lockFD = try lock(path)
        let fd: Int32
        do throws(Failure) {
            fd = try openRegularFile(path, describedAs: "journal", journal: path)
        } catch {
            Glibc.close(lockFD)
            throw error
        }
        do throws(Failure) {
            let data = try readAll(fd, path: path)
            var contents = try JournalReader(path: path, clock: clock, keepsEvents: keepsEvents).read(data)
            // The replay's scratch memory (its tables by unit id, tens of MiB for a million events) is free now: give
            // its pages back rather than keep them resident.
            _ = mallocTrim(0)
            if let tornAt = contents.tornAt {
                guard ftruncate(fd, off_t(tornAt)) == 0, fsync(fd) == 0 else {
                    throw Failure(description: "truncate the torn end of journal \(path): \(errorText())")
                }
            }
            if contents.needsHeader {
                try write(fd, [JournalReader.header(instance: contents.instance)], path: path)
            }
            let end = lseek(fd, 0, SEEK_END)
            guard end >= 0 else { throw Failure(description: "seek journal \(path): \(errorText())", code: errno) }
            contents.result.lines = contents.lineCount
            let journal = Journal(
                path: path, fd: fd, lockFD: lockFD, logger: logger, lineCount: contents.lineCount,
                committedLength: Int(end))
            return (journal, contents.result)
        } catch {
            Glibc.close(fd)
            Glibc.close(lockFD)
            throw error
        }
    }

    /// Appends lines and syncs them to disk. Returns only when they are durable.
    ///
    /// When the write or the sync fails, the file is cut back to ``committedLength`` (a half-written line must not
    /// sit in front of the next one) before the error is thrown.
    func append(_ lines: [String]) throws(Failure) {
        try keepPath()
        let text = lines.joined(separator: "\n") + "\n"
        do throws(Failure) {
            if let injected = injectedFailures, injected.count > 0 {
                injectedFailures = injected.count > 1 ? (injected.code, injected.count - 1) : nil
                try Self.write(fd, String(decoding: text.utf8.prefix(text.utf8.count / 2), as: UTF8.self), path: path)
                errno = injected.code
                throw Failure(description: "write journal \(path): \(Self.errorText())", code: injected.code)
            }
            try Self.write(fd, text, path: path)
            guard fdatasync(fd) == 0 else {
                throw Failure(description: "sync journal \(path): \(Self.errorText())", code: errno)
            }
        } catch {
            restoreCommittedLength()
            throw error
        }
        committedLength += text.utf8.count
        lineCount += lines.count
    }

    /// Puts the journal back at its path when it was deleted or replaced (see `Journal+Repair.swift`), and says
    /// so in the log.
    func keepPath() throws(Failure) {
        keepLock()
        guard let (change, keptAs) = try restorePath() else { return }
        let message =
            "journal was \(change.rawValue) while the agent ran; the agent wrote it again in full at its "
            + "path, so every change stays stored"
        logger?.warning("\(message)", metadata: ["journal": "\(path)", "other file kept as": "\(keptAs ?? "-")"])
    }

    /// Cuts the file back to what was last synced, best effort: when even that fails (a read-only file system),
    /// ``readDurable(clock:)`` still reads only the committed part, and the next successful write is a compaction
    /// that replaces the whole file.
    private func restoreCommittedLength() {
        let saved = errno
        defer { errno = saved }
        guard ftruncate(fd, off_t(committedLength)) == 0 else { return }
        lseek(fd, off_t(committedLength), SEEK_SET)
        _ = fdatasync(fd)
    }

    /// The state the journal holds on disk: its committed part, read back and replayed.
    func readDurable(clock: @escaping UnitGraph.Clock) throws(Failure) -> Contents {
        let data = try committedContent()
        var contents = try JournalReader(path: path, clock: clock).read(data).result
        contents.lines = lineCount
        return contents
    }

    /// Replaces the file with a header, a snapshot and `history` (recent events the snapshot includes), atomically:
    /// written beside it, synced, then renamed over it. The journal never holds less than the full state.
    func compact(instance: String, snapshot: GraphSnapshot, history: [String]) throws(Failure) {
        let temporary = path + ".compacting"
        if let injected = injectedFailures, injected.count > 0 {
            injectedFailures = injected.count > 1 ? (injected.code, injected.count - 1) : nil
            errno = injected.code
            throw Failure(description: "write \(temporary): \(Self.errorText())", code: injected.code)
        }
        let lines =
            [JournalReader.header(instance: instance), JSON.object([("snapshot", snapshot.json)]).compact]
            + history
        let text = lines.joined(separator: "\n") + "\n"
        let (change, keptAs) = try install(text)
        if let change {
            let message =
                "journal was \(change.rawValue) while the agent ran; the agent's compaction writes "
                + "it again in full at its path"
            logger?.warning("\(message)", metadata: ["journal": "\(path)", "other file kept as": "\(keptAs ?? "-")"])
        }
        lineCount = lines.count - 1
        committedLength = text.utf8.count
    }

    static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let dirFD = Glibc.open(directory.isEmpty ? "/" : directory, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            Glibc.close(dirFD)
        }
    }

    private static func readAll(_ fd: Int32, path: String) throws(Failure) -> [UInt8] {
        // A journal of a million events is over 100 MiB: read straight into an array of its size, in large reads,
        // then whatever lies past that size (the file grew meanwhile) in chunks.
        var status = stat()
        let size = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
        var failure: Int32 = 0
        var data = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            while count < buffer.count {
                let got = read(fd, buffer.baseAddress! + count, min(buffer.count - count, 1 << 24))
                if got < 0 && errno == EINTR { continue }
                if got < 0 { failure = errno }
                if got <= 0 { return }
                count += got
            }
        }
        if failure != 0 {
            errno = failure
            throw Failure(description: "read journal \(path): \(errorText())", code: failure)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "read journal \(path): \(errorText())", code: errno)
            }
            if count == 0 { return data }
            data += chunk[..<count]
        }
    }

    private static func write(_ fd: Int32, _ lines: [String], path: String) throws(Failure) {
        try write(fd, lines.joined(separator: "\n") + "\n", path: path)
    }

    static func write(_ fd: Int32, _ text: String, path: String) throws(Failure) {
        do {
            try Descriptor.writeAll(fd, text)
        } catch {
            let reason = String(cString: strerror(error.code))
            throw Failure(description: "write journal \(path): \(reason)", code: error.code)
        }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// glibc's `malloc_trim` (not in the `Glibc` module): gives the free pages of every arena back to the system.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
