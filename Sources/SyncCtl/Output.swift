import Synchronization
import SyncClient
import SyncOS

@preconcurrency import Glibc

/// Writes straight to the file descriptors, unbuffered, so lines appear in order and at once (a waiting `start`
/// prints its line before it blocks).
enum Output {
    /// Writes `text` and a newline to stdout.
    static func line(_ text: String) {
        write("\(text)\n", to: 1)
    }

    /// Writes `text` as it is to stdout.
    static func raw(_ text: String) {
        write(text, to: 1)
    }

    /// Writes `text` and a newline to stderr.
    static func error(_ text: String) {
        write("\(text)\n", to: 2)
    }

    /// The `errno` of the first write to stdout that failed (a full disk, a closed descriptor), if one did.
    private static let stdoutFailure = Mutex<Int32?>(nil)

    /// Why the output is incomplete, when a write to stdout failed for another reason than a reader that went away
    /// (`syncctl list | head -1` is not an error): a command that succeeded must not exit 0 with its output lost.
    static var lostOutput: String? {
        guard let code = stdoutFailure.withLock({ $0 }), code != EPIPE else { return nil }
        return "cannot write to standard output: \(Posix.errorText(code)); the output is incomplete"
    }

    private static func write(_ text: String, to fd: Int32) {
        do {
            try Descriptor.writeAll(fd, text)
        } catch {
            if fd == 1 { stdoutFailure.withLock { $0 = $0 ?? error.code } }
        }
    }
}

/// coder's table style: upper-case headers, every cell left-aligned and padded to its column's width plus two
/// spaces (the last column too), no borders.
struct Table {
    var headers: [String]
    var rows: [[String]]

    var rendered: String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }.joined() + "\n"
        }
        return line(headers.map { $0.uppercased() }) + rows.map(line).joined()
    }
}
