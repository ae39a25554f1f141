@preconcurrency import Glibc
import SyncOS

/// A fresh directory under /tmp with a short path (Unix socket paths must stay under 108 bytes), removed with all it
/// holds by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates the directory `/tmp/<prefix>-XXXXXX`. Stops the program when /tmp cannot take one (a test or a
    /// benchmark cannot go on without it).
    public init(prefix: String = "sa") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed: \(String(cString: strerror(errno)))")
        path = String(cString: created!)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// The socket path agents started here use.
    public var socket: String { file("s") }

    /// Removes the directory and everything below it (symbolic links are removed, not followed).
    public func remove() {
        Self.removeTree(path)
    }

    private static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR, let directory = opendir(path) else {
            unlink(path)
            return
        }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = DirectoryEntry.name(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        for name in names { removeTree(path + "/" + name) }
        rmdir(path)
    }
}
