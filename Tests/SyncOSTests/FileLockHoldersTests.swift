import SyncOS
import Testing

@preconcurrency import Glibc

/// /proc/locks names who holds an flock, without taking it.
@Suite struct FileLockHoldersTests {
    /// A new empty file under /tmp, open. - Returns: its descriptor and path.
    private func temporaryFile() throws -> (fd: Int32, path: String) {
        var template = Array("/tmp/sa-file-XXXXXX".utf8CString)
        // Close-on-exec: a child another test spawns must not keep the file, and so its lock.
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return (fd, String(cString: template))
    }

    @Test func namesThisProcessWhileItHoldsTheLockAndNobodyAfter() throws {
        let (fd, path) = try temporaryFile()
        defer { unlink(path) }
        #expect(FileLockHolders.pids(of: path) == [])
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect(FileLockHolders.pids(of: path) == [getpid()])
        close(fd)
        // A child spawned by another test at that moment holds a copy of the descriptor until its exec.
        #expect(released(path))
        #expect(FileLockHolders.pids(of: path + ".missing") == nil)
    }

    /// Whether nobody holds a lock on `path` within 5 s.
    private func released(_ path: String) -> Bool {
        for _ in 0..<500 {
            if FileLockHolders.pids(of: path) == [] { return true }
            usleep(10_000)
        }
        return false
    }

    @Test func readsFilesWholeOrFromAnOffset() throws {
        let (fd, path) = try temporaryFile()
        defer { unlink(path) }
        try Descriptor.writeAll(fd, "first\nsecond\n")
        close(fd)
        #expect(FileContents.text(path) == "first\nsecond\n")
        #expect(FileContents.text(path, from: 6) == "second\n")
        #expect(FileContents.text(path, limit: 5) == "first")
        #expect(FileContents.size(path) == 13)
        #expect(FileContents.read(path + ".missing") == nil)
    }

    @Test func filesBesideTheSocket() {
        #expect(SocketPath(path: "/run/a/agent.sock", source: .flag).sibling("journal") == "/run/a/agent.journal")
        #expect(SocketPath(path: "/run/a/s", source: .flag).autostartLogPath == "/run/a/s.log")
    }
}
