import Dispatch
@preconcurrency import Glibc
import SyncCore
import SyncOS
import SyncProtocol
import Synchronization

/// The lines of a journal, decoded on a second thread while the reader applies the ones before them: a restart
/// spends a sixth of its replay decoding lines and checking their names, work that needs nothing of the graph.
///
/// The bytes from `start` to `end` (newline-ended lines) are cut into chunks of whole lines; one thread decodes them
/// in order, at most ``chunksAhead`` chunks ahead of the reader, and ``nextChunk()`` hands them out in file order.
/// The reader must call ``stop()`` once, before the bytes go away (the decoding thread reads them until then).
/// Used from one reader thread.
final class EventLinesAhead: @unchecked Sendable {
    /// One newline-ended line: where it lies (without its newline) and, when it has the exact form the agent writes,
    /// its event and what is wrong with the event's names (`event` `nil`: the reader parses the line itself).
    struct Line {
        var start: Int
        var end: Int
        var event: SyncEvent?
        var nameProblem: String?
    }

    /// How many chunks the decoding thread may be ahead of the reader (bounds the memory of decoded events).
    static let chunksAhead = 3

    private let data: UnsafeBufferPointer<UInt8>
    /// Chunk `k` covers `bounds[k]..<bounds[k + 1]`.
    private let bounds: [Int]
    /// One slot per chunk: written by the decoding thread before it signals `ready`, taken by the reader after.
    private let slots: UnsafeMutablePointer<[Line]>
    private let ready = DispatchSemaphore(value: 0)
    /// Starts at 0 and is signalled ``chunksAhead`` times: libdispatch traps when a semaphore goes away with a value
    /// below the one it was created with, which the reader's early stop (a corrupt line) leaves it at.
    private let room = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    /// The chunk the reader has.
    private var chunk = -1

    /// Starts decoding the lines of `data[start..<end]`, which ends with a newline (or is empty).
    /// - Parameter chunkBytes: about how many bytes a chunk holds (it ends at the next newline).
    init(_ data: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, chunkBytes: Int = 1 << 20) {
        self.data = data
        var bounds = [start]
        var cut = start
        while cut < end {
            cut = min(end, cut + max(1, chunkBytes))
            if cut < end, let newline = Self.newline(in: data, from: cut - 1, to: end) { cut = newline + 1 }
            bounds.append(cut)
        }
        self.bounds = bounds
        let count = bounds.count - 1
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: [], count: max(count, 1))
        for _ in 0..<Self.chunksAhead { room.signal() }
        startThread { [self] in decodeAll() }
    }

    deinit {
        slots.deinitialize(count: max(bounds.count - 1, 1))
        slots.deallocate()
    }

    /// The next chunk's lines, in file order; `nil` after the last. The reader goes through a chunk's lines in
    /// place: handing them out one by one copied each line's event several times over (a tenth of a replay).
    func nextChunk() -> [Line]? {
        if chunk >= 0 { room.signal() }
        chunk += 1
        guard chunk < bounds.count - 1 else { return nil }
        ready.wait()
        defer { slots[chunk] = [] }
        return slots[chunk]
    }

    /// Stops the decoding thread and waits for it: the bytes are not read any more.
    func stop() {
        stopped.store(true, ordering: .releasing)
        room.signal()
        finished.wait()
    }

    private func decodeAll() {
        for chunk in 0..<(bounds.count - 1) {
            room.wait()
            if stopped.load(ordering: .acquiring) { break }
            slots[chunk] = decode(from: bounds[chunk], to: bounds[chunk + 1])
            ready.signal()
        }
        finished.signal()
    }

    private func decode(from start: Int, to end: Int) -> [Line] {
        var lines: [Line] = []
        lines.reserveCapacity((end - start) / 96 + 1)
        var offset = start
        while offset < end {
            let lineEnd = Self.newline(in: data, from: offset, to: end) ?? end
            let event = EventLineDecoder.decode(UnsafeBufferPointer(rebasing: data[offset..<lineEnd]))
            let problem = event.flatMap { JournalReader.nameProblem(in: $0.kind) }
            lines.append(Line(start: offset, end: lineEnd, event: event, nameProblem: problem))
            offset = lineEnd + 1
        }
        return lines
    }

    /// The offset of the first newline in `data[from..<to]`, if any.
    private static func newline(in data: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = data.baseAddress, let found = memchr(base + from, 0x0A, to - from) else {
            return nil
        }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }
}
