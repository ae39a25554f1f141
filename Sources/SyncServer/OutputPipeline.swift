/// What leaves the agent, in order: journal lines to sync, and frames that may go out only once the changes they
/// acknowledge are durable. Frames of one loop turn form a batch; a batch leaves when the journal has synced every
/// line produced up to its end. Syncs of concurrent changes are grouped: while one sync runs, the lines of the next
/// turns accumulate and go to disk together.
struct OutputPipeline {
    struct Batch {
        var frames: [(connection: UInt64, frame: String)]
        /// Journal lines that must be durable before the batch leaves (a count since the agent started).
        var needsLines: Int
    }

    let journal: JournalWriter?
    /// Frames of the current loop turn.
    var current: [(connection: UInt64, frame: String)] = []
    /// Sealed batches waiting for the journal, oldest first.
    var waiting: [Batch] = []
    /// Lines produced and not yet handed to the journal.
    var unwritten: [String] = []
    /// Lines handed to the journal so far.
    var handedOver = 0
    /// Lines the journal has synced.
    var durable = 0
    /// A sync (or compaction) is running.
    var busy = false
    /// Lines in the journal file since it was last compacted.
    var linesSinceCompaction: Int

    init(journal: JournalWriter?, linesSinceCompaction: Int) {
        self.journal = journal
        self.linesSinceCompaction = linesSinceCompaction
    }

    /// Nothing is waiting for the journal.
    var isIdle: Bool { !busy && unwritten.isEmpty && waiting.isEmpty && current.isEmpty }

    /// Queues an event line for the journal (nothing when the agent is ephemeral).
    mutating func journal(_ line: String) {
        guard journal != nil else { return }
        unwritten.append(line)
    }

    /// Seals the current turn's frames. - Returns: frames that may leave now.
    mutating func seal() -> [(connection: UInt64, frame: String)] {
        let frames = current
        current = []
        let needs = handedOver + unwritten.count
        if waiting.isEmpty && needs <= durable { return frames }
        if !frames.isEmpty { waiting.append(Batch(frames: frames, needsLines: needs)) }
        return []
    }

    /// Takes the lines for the next sync, if one may start. - Returns: the lines, or `nil`.
    mutating func startSync() -> [String]? {
        guard !busy, !unwritten.isEmpty else { return nil }
        busy = true
        let lines = unwritten
        unwritten = []
        handedOver += lines.count
        return lines
    }

    /// A sync of `count` lines finished. - Returns: the frames that may now leave, in order.
    mutating func synced(_ count: Int) -> [(connection: UInt64, frame: String)] {
        busy = false
        durable += count
        linesSinceCompaction += count
        var ready: [(connection: UInt64, frame: String)] = []
        while let first = waiting.first, first.needsLines <= durable {
            ready += first.frames
            waiting.removeFirst()
        }
        return ready
    }
}
