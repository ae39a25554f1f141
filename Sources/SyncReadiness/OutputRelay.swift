@preconcurrency import Glibc
import SyncOS

/// Copies one output pipe of a service to where it belongs (`syncctl run`'s own stdout or stderr) byte for byte, as
/// the bytes arrive, and feeds them to the log checks' matchers, one matcher per check for this stream (a line is
/// never assembled across stdout and stderr). One owner: the readiness loop.
struct OutputRelay {
    let source: Int32
    let destination: Int32
    /// The log checks not yet passed: their index among the service's checks, and their matcher for this stream.
    private(set) var matchers: [(index: Int, matcher: LogLineMatcher)]
    private(set) var isOpen = true
    /// Once a write failed (nobody reads our stdout any more), the rest is read and dropped so the service never
    /// blocks on a full pipe.
    private var writable = true

    init(_ output: ServiceReadiness.Output, checks: [ReadinessCheck]) {
        source = output.source
        destination = output.destination
        matchers = checks.enumerated().compactMap { index, check in
            guard case .log(let pattern) = check, let matcher = try? LogLineMatcher(pattern: pattern) else {
                return nil
            }
            return (index, matcher)
        }
        let flags = fcntl(source, F_GETFL)
        _ = fcntl(source, F_SETFL, flags | O_NONBLOCK)
    }

    /// Copies what the pipe holds now (never blocks on it). - Returns: the log checks that matched a line.
    mutating func pump() -> [Int] {
        guard isOpen else { return [] }
        var matched: [Int] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return matched }
            }
            if count <= 0 {
                isOpen = false
                close(source)
                return matched + finish()
            }
            let chunk = buffer[0..<count]
            if writable {
                let destination = self.destination
                writable = chunk.withUnsafeBytes { bytes -> Bool in
                    do {
                        try Descriptor.writeAll(destination, bytes, whenFull: { Self.waitWritable(destination) })
                        return true
                    } catch {
                        return false
                    }
                }
            }
            matched += feed(chunk)
        }
    }

    private mutating func feed(_ chunk: ArraySlice<UInt8>) -> [Int] {
        var matched: [Int] = []
        for slot in matchers.indices where matchers[slot].matcher.feed(chunk) { matched.append(matchers[slot].index) }
        matchers.removeAll { matched.contains($0.index) }
        return matched
    }

    private mutating func finish() -> [Int] {
        var matched: [Int] = []
        for slot in matchers.indices where matchers[slot].matcher.finish() { matched.append(matchers[slot].index) }
        matchers.removeAll()
        return matched
    }

    /// Forgets the matcher of a log check that passed (on the other stream).
    mutating func passed(_ index: Int) {
        matchers.removeAll { $0.index == index }
    }

    private static func waitWritable(_ descriptor: Int32) {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        _ = poll(&entry, 1, -1)
    }
}
