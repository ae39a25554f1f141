import SyncOS
import Testing

@preconcurrency import Glibc

/// /proc/locks names who holds an flock, without taking it.
@Suite struct FileLockHoldersTests {
    /// A new empty file under /tmp, open. - Returns: its descriptor and path.
    private func temporaryFile() throws -> (fd: Int32, path: String) {
        var template = Array("/tmp/sa-file-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        return (fd, String(cString: template))
    }

    @Test func namesThisProcessWhileItHoldsTheLockAndNobodyAfter() throws {
        let (fd, path) = try temporaryFile()
        defer { unlink(path) }
        #expect(FileLockHolders.pids(of: path) == [])
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect(FileLockHolders.pids(of: path) == [getpid()])
        close(fd)
        #expect(FileLockHolders.pids(of: path) == [])
        #expect(FileLockHolders.pids(of: path + ".missing") == nil)
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
