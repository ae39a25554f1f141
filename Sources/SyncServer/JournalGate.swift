import SyncCore

/// The gate between a change and its acknowledgement: what the agent's ``EventStore`` holds, what is on its way to
/// it, and the frames (``OutputPipeline``) held until the events they acknowledge are stored.
///
/// The gate only keeps the books; ``AgentCore`` talks to the store (`AgentCore+Output.swift`) and calls the gate at
/// each step: ``beginAppend(through:)`` when an append may start, ``appended(_:)`` when it is durable,
/// ``failed(_:stored:)`` when it is not, ``beginCompaction(graphSize:)`` and the recovery steps. It keeps one
/// append or compaction running at a time, as the store's contract asks.
///
/// Without a store (`--ephemeral`) nothing is recorded and every frame leaves at the end of its loop turn.
struct JournalGate {
    /// Where events are stored; `nil` when the agent keeps its state in memory only.
    let store: (any EventStore)?
    /// Frames and events on their way out.
    private(set) var output: OutputPipeline
    /// The sequence number of the last event the store holds.
    private(set) var durableSequence: UInt64
    /// The sequence number of the last event handed to the append that is running.
    private(set) var syncingThrough: UInt64 = 0
    /// Why the store cannot be written, while it cannot: changes are refused meanwhile.
    private(set) var problem: StoreFailure?
    /// The store is compacted once it holds more records than this and four times the graph's units and edges.
    let compactAfterRecords: Int
    private var drainWaiters: [() -> Void] = []
    /// The events the running compaction took (see ``beginCompaction(through:)``).
    private var compacting: [EncodedEvent] = []

    init(store: (any EventStore)?, restored: StoredState?, compactAfterRecords: Int) {
        self.store = store
        self.compactAfterRecords = compactAfterRecords
        durableSequence = restored?.sequence ?? 0
        output = OutputPipeline(
            keepsEvents: store != nil, linesSinceCompaction: restored?.recordsSinceCompaction ?? 0)
    }

    /// Recent events a compaction keeps beside the snapshot, for the timeline: at most half the threshold, so a
    /// compaction always shrinks the store.
    var historyLength: Int { min(10_000, compactAfterRecords / 2) }

    /// Nothing waits for the store.
    var isIdle: Bool { output.isIdle }

    // MARK: Each loop turn

    /// Queues a frame; it leaves with its turn's batch (see ``seal()``).
    mutating func queue(_ frame: OutputPipeline.Frame) {
        output.current.append(frame)
    }

    /// Queues a new event for the store (nothing without a store).
    mutating func record(_ event: EncodedEvent) {
        output.journal(event)
    }

    /// Ends the loop turn. - Returns: the frames that may leave now.
    mutating func seal() -> [OutputPipeline.Frame] {
        output.seal()
    }

    /// Events produced and not yet handed to the store.
    var hasUnwritten: Bool { !output.unwritten.isEmpty }

    /// Another agent stored the events up to `sequence` (a shared store): they are durable already.
    mutating func caughtUp(through sequence: UInt64) {
        durableSequence = max(durableSequence, sequence)
    }

    // MARK: Appends

    /// Takes the events for the next append, if one may start (a store, no append or compaction running, not
    /// failed, something to store). - Parameter latest: the sequence number of the last event produced; every
    /// event so far has been recorded.
    mutating func beginAppend(through latest: UInt64) -> [EncodedEvent]? {
        guard store != nil, let events = output.startSync() else { return nil }
        syncingThrough = latest
        return events
    }

    /// The running append of `count` events is durable. - Returns: the frames that may leave now, in order.
    mutating func appended(_ count: Int) -> [OutputPipeline.Frame] {
        durableSequence = syncingThrough
        return output.synced(count)
    }

    /// Whether the store has grown enough to be compacted, now that an append ended. Events produced meanwhile do
    /// not put it off (under a steady load some always are): the compaction's snapshot covers them.
    /// - Parameter graphSize: the graph's units plus edges.
    func compactionDue(graphSize: Int) -> Bool {
        store != nil && !output.busy && !output.degraded
            && output.linesSinceCompaction
                > Self.compactionThreshold(
                    compactAfterRecords: compactAfterRecords, graphSize: graphSize)
    }

    /// Records the store may hold since its last compaction before it is compacted: `compactAfterRecords`, or four
    /// per unit and edge of the graph when that is more. After a compaction the store holds the snapshot and at
    /// most ``historyLength`` events; it grows by one append at a time and is compacted at the end of the first
    /// append that takes it past the threshold, so it never holds more than the threshold plus one append.
    static func compactionThreshold(compactAfterRecords: Int, graphSize: Int) -> Int {
        max(compactAfterRecords, 4 * graphSize)
    }

    /// A compaction starts; its snapshot covers every event produced so far, up to `latest`, which it takes.
    /// - Returns: the store's record count before it.
    mutating func beginCompaction(through latest: UInt64) -> Int {
        let before = output.linesSinceCompaction
        compacting = output.beginCompaction()
        syncingThrough = latest
        return before
    }

    /// The compaction ended; `historyCount` is how many events it kept, `nil` when it failed (the store is as it
    /// was, and the events it took go with the next append). - Returns: the frames that may leave now, in order.
    @discardableResult
    mutating func compactionEnded(keeping historyCount: Int?) -> [OutputPipeline.Frame] {
        if historyCount != nil { durableSequence = syncingThrough }
        defer { compacting = [] }
        return output.compactionEnded(compacting, historyLines: historyCount)
    }

    // MARK: Failure and recovery

    /// The running append failed; the store holds events up to `stored`. Changes are refused from now on.
    /// - Returns: every frame still held, oldest first, for the agent to sort out.
    mutating func failed(_ failure: StoreFailure, stored: UInt64) -> [OutputPipeline.Frame] {
        problem = failure
        durableSequence = stored
        return output.rollBack()
    }

    /// Whether a recovery attempt may start now (else it is tried again later).
    var mayRecover: Bool { !output.busy }

    /// A recovery attempt starts: the store is rewritten with the graph as it is now.
    mutating func beginRecovery() {
        output.beginRecovery()
    }

    /// The store holds the graph as of `sequence` again: changes are accepted again.
    mutating func recovered(through sequence: UInt64, historyCount: Int) {
        output.recovered(historyLines: historyCount)
        durableSequence = sequence
        problem = nil
    }

    /// The recovery attempt failed too; changes stay refused.
    mutating func recoveryFailed() {
        output.recoveryFailed()
    }

    // MARK: Draining

    /// Runs `body` once nothing waits for the store (at once if nothing does).
    mutating func whenIdle(_ body: @escaping () -> Void) {
        if output.isIdle {
            body()
        } else {
            drainWaiters.append(body)
        }
    }

    /// The waiters to call now that nothing waits for the store any more (none while something does).
    mutating func takeDrainWaiters() -> [() -> Void] {
        guard !drainWaiters.isEmpty, output.isIdle else { return [] }
        defer { drainWaiters = [] }
        return drainWaiters
    }
}
