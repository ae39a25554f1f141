/// Splits a byte stream into newline-terminated frames, refusing any frame longer than a limit.
///
/// Used by the client; the agent does the same on NIO's buffers.
public struct LineBuffer: Sendable {
    public let maxFrameBytes: Int
    private var pending: [UInt8] = []
    /// Where the next frame starts in `pending`; the bytes before it were handed out already.
    private var start = 0
    /// Where the search for the next newline resumes.
    private var scanned = 0

    public init(maxFrameBytes: Int = ProtocolVersion.maxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// The frame is longer than allowed.
    public struct Overflow: Error, Sendable {}

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if start > 0 && start >= pending.count / 2 {
            // Compact only when the consumed part is at least half: amortised O(1) per byte.
            pending.removeSubrange(..<start)
            scanned -= start
            start = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// The next complete frame without its newline, or `nil` until more bytes arrive.
    /// - Throws: ``Overflow`` when the frame so far exceeds the limit.
    public mutating func nextFrame() throws(Overflow) -> ArraySlice<UInt8>? {
        if let newline = pending[max(scanned, start)...].firstIndex(of: UInt8(ascii: "\n")) {
            guard newline - start <= maxFrameBytes else { throw Overflow() }
            let frame = pending[start..<newline]
            start = newline + 1
            scanned = start
            return frame
        }
        scanned = pending.count
        if pending.count - start > maxFrameBytes { throw Overflow() }
        return nil
    }

    /// Bytes received but not yet returned as a frame.
    public var bufferedCount: Int { pending.count - start }
}
