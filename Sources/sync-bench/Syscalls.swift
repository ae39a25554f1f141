import SyncOS

@preconcurrency import Glibc

/// A benchmark could not run: what failed and, where it helps, the errno text.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// `what: strerror(errno)`.
    static func errno(_ what: String, _ code: Int32 = Glibc.errno) -> BenchError {
        BenchError("\(what): \(String(cString: strerror(code)))")
    }
}

/// The clocks and the few process-wide knobs the benchmarks use.
enum Syscalls {
    /// Nanoseconds of the monotonic clock.
    static func nanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Online processors.
    static var cores: Int { sysconf(Int32(_SC_NPROCESSORS_ONLN)) }

    /// CPU time of the calling process (all threads), in seconds.
    static func processCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Sleeps for `seconds` (restarting after signals).
    static func sleep(seconds: Double) {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && Glibc.errno == EINTR { request = remaining }
    }

    /// The contents of a (small) file such as `/proc/PID/stat`, or `nil` when it cannot be read.
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && Glibc.errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` to a file, replacing it.
    static func writeFile(_ path: String, _ text: String) throws(BenchError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .errno("open \(path)") }
        defer { close(fd) }
        do {
            try Descriptor.writeAll(fd, text)
        } catch {
            throw .errno("write \(path)", error.code)
        }
    }

    /// Prints to stderr (progress lines; stdout is kept for the table or the JSON).
    static func note(_ text: String) {
        try? Descriptor.writeAll(2, text + "\n")
    }

    /// A new private directory under /tmp with a short path (socket paths must stay under 108 bytes).
    static func makeTemporaryDirectory(prefix: String = "sbench") throws(BenchError) -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .errno("mkdtemp")
        }
        return String(cString: made)
    }

    /// Removes a directory made by ``makeTemporaryDirectory(prefix:)`` and the files directly inside it.
    static func removeDirectory(_ path: String) {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = DirectoryEntry.name(entry)
                if name != "." && name != ".." { unlink("\(path)/\(name)") }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

extension Syscalls {
    /// A pipe whose ends close on exec. - Returns: (read end, write end).
    static func makePipe(nonBlocking: Bool = false) throws(BenchError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw .errno("pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        return (fds[0], fds[1])
    }
}
