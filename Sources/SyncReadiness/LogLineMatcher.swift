/// Finds the first line of a byte stream (a service's stdout or stderr) that matches a regular expression, fed the
/// bytes in chunks as they arrive, so a line split across writes still matches. Lines end at `\n`; a trailing `\r`
/// is dropped; bytes that are not UTF-8 are repaired before matching. A line longer than ``maximumLineBytes`` is
/// matched on its first ``maximumLineBytes`` bytes. Pure: no I/O.
public struct LogLineMatcher {
    /// The longest part of one line that is kept for matching.
    public static let maximumLineBytes = 64 * 1024

    public let pattern: String
    private let regex: Regex<AnyRegexOutput>
    private var pending: [UInt8] = []
    /// The first line that matched, once one did; feeding more changes nothing.
    public private(set) var matchedLine: String?

    /// - Throws: the regex parser's error when `pattern` is not a valid regular expression.
    public init(pattern: String) throws {
        self.pattern = pattern
        self.regex = try Regex(pattern)
    }

    /// Takes the next chunk of output; true once a line has matched (in this chunk or before).
    @discardableResult
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> Bool {
        guard matchedLine == nil else { return true }
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if check() { return true }
            } else if pending.count < Self.maximumLineBytes {
                pending.append(byte)
            }
        }
        return false
    }

    /// The output ended: matches the last line when it had no newline. True once a line has matched.
    @discardableResult
    public mutating func finish() -> Bool {
        guard matchedLine == nil else { return true }
        return pending.isEmpty ? false : check()
    }

    private mutating func check() -> Bool {
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        guard line.firstMatch(of: regex) != nil else { return false }
        matchedLine = line
        return true
    }
}
