import Foundation

/// The files of the repository's `examples/` folder, found from this source file's path.
enum Examples {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples").path

    /// The absolute path of `relativePath` (e.g. `coder/main.tf`).
    static func path(_ relativePath: String) -> String { "\(folder)/\(relativePath)" }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOfFile: path(relativePath), encoding: .utf8)
    }

    /// Whether `relativePath` is a regular file this user may execute.
    static func isExecutable(_ relativePath: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path(relativePath), isDirectory: &directory)
            && !directory.boolValue && access(path(relativePath), X_OK) == 0
    }

    /// The names of the files in a folder of `examples/`, sorted.
    static func files(in relativePath: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(relativePath))) ?? []).sorted()
    }

    /// Every capture of `pattern`'s first group in `text`, in order.
    static func captures(of pattern: String, in text: String) throws -> [String] {
        let expression = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
