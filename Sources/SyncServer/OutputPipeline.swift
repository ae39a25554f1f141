import SyncCore

/// What leaves the agent, in order: journal lines to sync, and frames that may go out only once the changes they
/// acknowledge are durable. Frames of one loop turn form a batch; a batch leaves when the journal has synced every
/// line produced up to its end. Syncs of concurrent changes are grouped: while one sync runs, the lines of the next
/// turns accumulate and go to disk together.
///
/// When a sync fails, ``rollBack()`` hands back every frame still held, so the agent can answer what it could not
/// store, and the pipeline turns *degraded*: frames leave at once (the agent refuses changes meanwhile, so they
/// acknowledge nothing that needs the disk) until ``recovered(historyLines:)``.
struct OutputPipeline {
    /// One frame on its way to a connection.
    struct Frame {
        /// What the frame says, for the agent to sort out what a failed sync invalidates (see
        /// `AgentCore+JournalFailure.swift`).
        enum Tag {
            /// Does not depend on the graph (hello, ping, refusals of bad frames, close markers).
            case plain
            /// The final reply to request `id`, computed from the graph as of event `through`.
            case reply(id: Int64, through: UInt64)
            /// An event pushed to a subscriber.
            case event(sequence: UInt64)
            /// The snapshot that opens subscription `id`, as of event `through`.
            case snapshot(id: Int64, through: UInt64)
            /// The final reply of a parked wait, which ended after event `through`; `released` when a change
            /// released it (rather than a timeout, a cancel or shutdown).
            case waitEnded(WaitID, ParkedRequest, released: Bool, through: UInt64)
        }

        var connection: UInt64
        var frame: String
        var tag: Tag
    }

    struct Batch {
        var frames: [Frame]
        /// Journal lines that must be durable before the batch leaves (a count since the agent started).
        var needsLines: Int
    }

    /// Events are stored (there is a store): frames wait for them.
    let keepsEvents: Bool
    /// Frames of the current loop turn.
    var current: [Frame] = []
    /// Sealed batches waiting for the journal, oldest first.
    var waiting: [Batch] = []
    /// Events produced and not yet handed to the journal.
    var unwritten: [EncodedEvent] = []
    /// Lines handed to the journal so far.
    var handedOver = 0
    /// Lines the journal has synced.
    var durable = 0
    /// A sync (or compaction) is running.
    var busy = false
    /// Lines in the journal file since it was last compacted.
    var linesSinceCompaction: Int
    /// The last sync failed and the journal has not been written since: frames are not held, no sync starts.
    private(set) var degraded = false

    init(keepsEvents: Bool, linesSinceCompaction: Int) {
        self.keepsEvents = keepsEvents
        self.linesSinceCompaction = linesSinceCompaction
    }

    /// Nothing is waiting for the journal. (While degraded, lines queued for the next attempt do not count: they
    /// only record waits that ended, and a failed journal must not stop the agent from shutting down.)
    var isIdle: Bool { !busy && (degraded || unwritten.isEmpty) && waiting.isEmpty && current.isEmpty }

    /// Queues an event line for the journal (nothing when the agent is ephemeral).
    mutating func journal(_ event: EncodedEvent) {
        guard keepsEvents else { return }
        unwritten.append(event)
    }

    /// Seals the current turn's frames. - Returns: frames that may leave now.
    mutating func seal() -> [Frame] {
        let frames = current
        current = []
        let needs = handedOver + unwritten.count
        if degraded || (waiting.isEmpty && needs <= durable) { return frames }
        if !frames.isEmpty { waiting.append(Batch(frames: frames, needsLines: needs)) }
        return []
    }

    /// Takes the events for the next sync, if one may start. - Returns: the events, or `nil`.
    mutating func startSync() -> [EncodedEvent]? {
        guard !busy, !degraded, !unwritten.isEmpty else { return nil }
        busy = true
        let lines = unwritten
        unwritten = []
        handedOver += lines.count
        return lines
    }

    /// A sync of `count` lines finished. - Returns: the frames that may now leave, in order.
    mutating func synced(_ count: Int) -> [Frame] {
        busy = false
        linesSinceCompaction += count
        return madeDurable(count)
    }

    /// A compaction starts: its snapshot is the graph as it is now, which covers every line queued so far, so
    /// they are handed over with it. - Returns: those lines, to queue again should the compaction fail.
    mutating func beginCompaction() -> [EncodedEvent] {
        busy = true
        let lines = unwritten
        unwritten = []
        handedOver += lines.count
        return lines
    }

    /// The compaction that took `lines` (see ``beginCompaction()``) ended: on success (with the `historyLines` it
    /// kept) they are durable; on failure they are queued again for the next sync.
    /// - Returns: the frames that may now leave, in order.
    mutating func compactionEnded(_ lines: [EncodedEvent], historyLines: Int?) -> [Frame] {
        busy = false
        guard let historyLines else {
            unwritten = lines + unwritten
            handedOver -= lines.count
            return []
        }
        linesSinceCompaction = historyLines + 1
        return madeDurable(lines.count)
    }

    /// `count` more lines handed to the journal are durable. - Returns: the frames that may now leave, in order.
    private mutating func madeDurable(_ count: Int) -> [Frame] {
        durable += count
        var ready: [Frame] = []
        while let first = waiting.first, first.needsLines <= durable {
            ready += first.frames
            waiting.removeFirst()
        }
        return ready
    }

    /// A sync failed: nothing after the last durable line will be written. Turns degraded.
    /// - Returns: every frame still held, oldest first, for the agent to sort out.
    mutating func rollBack() -> [Frame] {
        var held = waiting.flatMap(\.frames)
        held += current
        waiting = []
        current = []
        unwritten = []
        handedOver = durable
        busy = false
        degraded = true
        return held
    }

    /// A recovery attempt starts: the journal is rewritten as a snapshot of the graph as it is now, which covers
    /// every line queued so far.
    mutating func beginRecovery() {
        busy = true
        unwritten = []
    }

    /// The journal was rewritten: lines queued since the attempt began follow the snapshot with the next sync.
    mutating func recovered(historyLines: Int) {
        busy = false
        degraded = false
        handedOver = durable
        linesSinceCompaction = historyLines + 1
    }

    /// The recovery attempt failed too; the pipeline stays degraded.
    mutating func recoveryFailed() {
        busy = false
    }
}
