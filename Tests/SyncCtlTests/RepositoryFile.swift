import Foundation

/// A file of this repository, found from this source file's path (tests run from the package directory or not).
enum RepositoryFile {
    static func text(_ relativePath: String, from file: String = #filePath) throws -> String {
        let root = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }
}
