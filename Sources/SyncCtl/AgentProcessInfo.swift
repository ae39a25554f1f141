@preconcurrency import Glibc
import SyncOS

/// What /proc tells of a running agent: its command line, working directory and open-file limit. Any of them is
/// `nil` when /proc does not show it (another user's process, a hardened /proc).
struct AgentProcessInfo: Sendable, Equatable {
    var arguments: [String]?
    var workingDirectory: String?
    var openFilesLimit: String?

    init(arguments: [String]?, workingDirectory: String?, openFilesLimit: String?) {
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.openFilesLimit = openFilesLimit
    }

    /// Reads /proc/`pid`.
    init(pid: Int64) {
        let base = "/proc/\(pid)"
        arguments = FileContents.read(base + "/cmdline").map { bytes in
            bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
                String(decoding: $0, as: UTF8.self)
            }
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(base + "/cwd", &buffer, buffer.count - 1)
        workingDirectory =
            count > 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        openFilesLimit = FileContents.text(base + "/limits").flatMap(Self.openFiles)
    }

    /// The soft `Max open files` of a /proc/PID/limits text.
    static func openFiles(_ limits: String) -> String? {
        guard let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) else {
            return nil
        }
        return line.dropFirst("Max open files".count).split(separator: " ").first.map(String.init)
    }

    /// The value of `--name VALUE` or `--name=VALUE` on the command line (the last one given wins).
    func option(_ name: String) -> String? {
        guard let arguments else { return nil }
        var value: String?
        for (index, argument) in arguments.enumerated() {
            if argument == name, index + 1 < arguments.count { value = arguments[index + 1] }
            if argument.hasPrefix(name + "=") { value = String(argument.dropFirst(name.count + 1)) }
        }
        return value
    }

    /// Whether `--name` was given.
    func flag(_ name: String) -> Bool { arguments?.contains(name) ?? false }

    /// The `--max-…` options given, in order, as `(flag, value)`.
    var limitOptions: [(String, String)] {
        guard let arguments else { return [] }
        var found: [(String, String)] = []
        for (index, argument) in arguments.enumerated() where argument.hasPrefix("--max-") {
            if let equals = argument.firstIndex(of: "=") {
                found.append((String(argument[..<equals]), String(argument[argument.index(after: equals)...])))
            } else if index + 1 < arguments.count {
                found.append((argument, arguments[index + 1]))
            }
        }
        return found
    }

    /// `path` made absolute against the agent's working directory.
    func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/"), let workingDirectory else { return path }
        return (workingDirectory == "/" ? "" : workingDirectory) + "/" + path
    }
}
