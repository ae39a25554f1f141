import SyncOS
import Testing

@preconcurrency import Glibc

/// `DirectoryEntry.name`: every name of a directory, the longest a file system allows included, read from the
/// record up to its NUL.
@Suite struct DirectoryEntryTests {
    @Test func readsEveryNameOfADirectory() throws {
        var template = Array("/tmp/entries-XXXXXX".utf8CString)
        let directory = try #require(
            template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map {
                String(cString: $0)
            })
        let names = ["a", "journal.jsonl", "café", String(repeating: "x", count: 255)]
        for name in names {
            let fd = open(directory + "/" + name, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            try #require(fd >= 0, "cannot create \(name)")
            close(fd)
        }
        var found: [String] = []
        let handle = try #require(opendir(directory))
        while let entry = readdir(handle) { found.append(DirectoryEntry.name(entry)) }
        closedir(handle)
        for name in names { unlink(directory + "/" + name) }
        rmdir(directory)
        #expect(found.sorted() == ([".", ".."] + names).sorted())
    }
}
