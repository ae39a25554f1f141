import Foundation

/// A fresh directory under /tmp with a short path (Unix socket paths must stay under 108 bytes), removed by
/// ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "sa") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed: \(String(cString: strerror(errno)))")
        path = String(cString: created!)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// The socket path tests use.
    public var socket: String { file("s") }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
