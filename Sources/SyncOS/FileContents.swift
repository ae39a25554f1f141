@preconcurrency import Glibc

/// Small files read whole, for diagnostics: /proc entries, a lock file's pid, the tail of a log.
public enum FileContents {
    /// At most `limit` bytes of the file at `path`, starting at `offset`; `nil` (with `errno` set) when it cannot be
    /// opened or read. Opened without blocking, so a FIFO in the way returns what it has instead of hanging.
    public static func read(_ path: String, from offset: Int = 0, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, wanted, off_t(offset + bytes.count)) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return errno == EAGAIN ? bytes : nil }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }

    /// The file at `path` as text (invalid UTF-8 repaired), or `nil` when it cannot be read.
    public static func text(_ path: String, from offset: Int = 0, limit: Int = 1 << 20) -> String? {
        read(path, from: offset, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The size of the file at `path` (symlinks followed), or `nil` when there is none.
    public static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }
}
