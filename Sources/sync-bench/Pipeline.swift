@preconcurrency import Glibc

/// Sends many requests over one connection with up to `window` of them in flight, reading replies as they come.
/// Requests must each get exactly one frame back (no parked `start`s). One thread, `poll()` on one socket.
enum Pipeline {
    /// Sends `frames` and waits for every reply.
    /// - Returns: replies received, how many were errors, and the time from the first byte sent to the last reply,
    ///   in nanoseconds.
    static func run(_ frames: [String], on socket: FrameSocket, window: Int = 512) throws(BenchError)
        -> (replies: Int, refused: Int, nanos: UInt64)
    {
        guard !frames.isEmpty else { return (0, 0, 0) }
        var bytes: [UInt8] = []
        var ends: [Int] = []
        ends.reserveCapacity(frames.count)
        for frame in frames {
            bytes += frame.utf8
            ends.append(bytes.count)
        }
        socket.setNonBlocking()
        let bytesPointer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { bytesPointer.deallocate() }
        bytesPointer.copyBytes(from: bytes)
        var sent = 0
        var replies = 0
        var refused = 0
        let started = Syscalls.nanos()
        while replies < frames.count {
            let allowed = ends[min(frames.count, replies + window) - 1]
            if sent < allowed {
                let window = UnsafeRawBufferPointer(rebasing: bytesPointer[sent..<allowed])
                sent += try socket.sendSome(window)
            }
            var polled = pollfd(
                fd: socket.fd, events: Int16(POLLIN) | (sent < allowed ? Int16(POLLOUT) : 0), revents: 0)
            _ = poll(&polled, 1, 1000)
            guard polled.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { continue }
            let count = try socket.fill()
            if count == 0 { throw BenchError("the agent closed the connection after \(replies) replies") }
            while let frame = socket.nextFrame() {
                switch FrameSocket.kind(of: frame) {
                case .ok: replies += 1
                case .push: continue
                default:
                    replies += 1
                    refused += 1
                }
            }
        }
        return (replies, refused, Syscalls.nanos() - started)
    }
}
