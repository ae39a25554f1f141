#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SyncCore
import SyncProtocol

/// The agent's journal: every event, one JSON line each, synced to disk before the change is acknowledged.
///
/// Format (JSON lines): a header `{"journal":"sync-agent","version":1,"instance":"…"}`, then events as in the
/// stream (`{"seq":…,"time_us":…,"kind":…}`), and, after a compaction, a `{"snapshot":{…}}` line followed by the
/// recent events it already includes (kept as history) and the events after it.
///
/// Not thread-safe: after ``open(path:)`` every call comes from the agent's single journal thread.
final class Journal {
    /// What the journal held when it was opened.
    struct Contents {
        /// The history's name (see ``HelloInfo/instance``).
        var instance: String
        /// The graph rebuilt from the file.
        var snapshot: GraphSnapshot
        /// The events of the file, oldest first, for the stream's history.
        var events: [SyncEvent]
        /// Number of lines in the file after the header.
        var lines: Int
        /// A torn last line that was dropped, if any.
        var droppedTail: String?
    }

    /// The journal could not be used; the message says what happened, where, and what to do.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let path: String
    private var fd: Int32
    /// Lines written since the last compaction (or since opening).
    private(set) var lineCount: Int

    private init(path: String, fd: Int32, lineCount: Int) {
        self.path = path
        self.fd = fd
        self.lineCount = lineCount
    }

    deinit { close(fd) }

    /// Opens (or creates) the journal at `path` and reads it back.
    /// - Throws: ``Failure`` when the file cannot be opened, or a line other than the last is corrupt (the file is
    ///   left untouched). A torn last line (power lost mid-write) is dropped and reported in ``Contents``.
    static func open(path: String, clock: @escaping UnitGraph.Clock) throws(Failure) -> (Journal, Contents) {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "open journal \(path): \(errorText())") }
        do throws(Failure) {
            let data = try readAll(fd, path: path)
            var contents = try JournalReader(path: path, clock: clock).read(data)
            if let tornAt = contents.tornAt {
                guard ftruncate(fd, off_t(tornAt)) == 0, fsync(fd) == 0 else {
                    throw Failure(description: "truncate the torn end of journal \(path): \(errorText())")
                }
            }
            if contents.needsHeader {
                try write(fd, [JournalReader.header(instance: contents.instance)], path: path)
            }
            lseek(fd, 0, SEEK_END)
            contents.result.lines = contents.lineCount
            return (Journal(path: path, fd: fd, lineCount: contents.lineCount), contents.result)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Appends lines and syncs them to disk. Returns only when they are durable.
    func append(_ lines: [String]) throws(Failure) {
        try Self.write(fd, lines, path: path)
        guard fdatasync(fd) == 0 else { throw Failure(description: "sync journal \(path): \(Self.errorText())") }
        lineCount += lines.count
    }

    /// Replaces the file with a header, a snapshot and `history` (recent events the snapshot includes), atomically:
    /// written beside it, synced, then renamed over it. The journal never holds less than the full state.
    func compact(instance: String, snapshot: GraphSnapshot, history: [String]) throws(Failure) {
        let temporary = path + ".compacting"
        let newFD = Glibc.open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard newFD >= 0 else { throw Failure(description: "open \(temporary): \(Self.errorText())") }
        let lines = [JournalReader.header(instance: instance), JSON.object([("snapshot", snapshot.json)]).compact]
            + history
        do throws(Failure) {
            try Self.write(newFD, lines, path: temporary)
            guard fsync(newFD) == 0 else { throw Failure(description: "sync \(temporary): \(Self.errorText())") }
            guard rename(temporary, path) == 0 else {
                throw Failure(description: "replace journal \(path): \(Self.errorText())")
            }
        } catch {
            close(newFD)
            unlink(temporary)
            throw error
        }
        Self.syncDirectory(of: path)
        close(fd)
        fd = newFD
        lineCount = lines.count - 1
    }

    private static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let dirFD = Glibc.open(directory.isEmpty ? "/" : directory, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    private static func readAll(_ fd: Int32, path: String) throws(Failure) -> [UInt8] {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "read journal \(path): \(errorText())")
            }
            if count == 0 { return data }
            data += chunk[..<count]
        }
    }

    private static func write(_ fd: Int32, _ lines: [String], path: String) throws(Failure) {
        var text = lines.joined(separator: "\n") + "\n"
        let ok = text.withUTF8 { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        guard ok else { throw Failure(description: "write journal \(path): \(errorText())") }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
