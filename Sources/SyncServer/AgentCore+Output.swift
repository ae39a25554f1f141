import NIOCore
import SyncCore
import SyncProtocol

/// Every frame goes out through here, after the journal holds what it acknowledges.
extension AgentCore {
    /// Queues a frame for `connection`; it leaves at the end of the loop turn, once durable.
    /// - Parameter tag: what the frame depends on, should the journal fail before it leaves.
    func send(_ message: ServerMessage, to connection: Connection, tag: OutputPipeline.Frame.Tag = .plain) {
        queue(message.frame, for: connection, tag: tag)
    }

    /// Queues an encoded frame for `connection` (see ``send(_:to:tag:)``).
    func queue(_ frame: String, for connection: Connection, tag: OutputPipeline.Frame.Tag) {
        connection.queuedBytes += frame.utf8.count
        output.current.append(OutputPipeline.Frame(connection: connection.id, frame: frame, tag: tag))
    }

    /// Queues the final reply to a request whose answer depends on the graph as it is now.
    func reply(_ message: ServerMessage, to connection: Connection, id: Int64) {
        send(message, to: connection, tag: .reply(id: id, through: graph.nextSequence - 1))
    }

    /// Ends the loop turn: sends what may leave and starts a journal sync for the rest.
    func flushAll() {
        deliver(output.seal())
        startSync()
        notifyIfDrained()
    }

    func notifyIfDrained() {
        guard !drainWaiters.isEmpty, output.isIdle else { return }
        let waiters = drainWaiters
        drainWaiters.removeAll()
        waiters.forEach { $0() }
    }

    func startSync() {
        guard let journal = output.journal, let lines = output.startSync() else { return }
        // Every event so far has been drained into `lines` (events are drained at the end of each request).
        syncingThrough = graph.nextSequence - 1
        let core = NIOLoopBound(self, eventLoop: loop)
        journal.append(lines, on: loop).whenComplete { result in
            let core = core.value
            switch result {
            case .success(.durable):
                core.durableSequence = core.syncingThrough
                core.deliver(core.output.synced(lines.count))
                if !core.compactIfDue() { core.startSync() }
            case .success(.failed(let failure, let durable)):
                core.journalFailed(failure, durable: durable)
            case .failure(let error):
                // The journal's thread is gone: the agent is stopping.
                core.journalFailed(
                    Journal.Failure(description: "journal \(journal.path): \(error)"),
                    durable: .failure(Journal.Failure(description: "the journal's thread stopped")))
            }
            core.notifyIfDrained()
        }
    }

    /// Rewrites the journal as a snapshot when it has grown and everything produced is durable.
    /// - Returns: whether a compaction started (it starts the next sync itself when done).
    private func compactIfDue() -> Bool {
        guard let journal = output.journal, !output.busy, output.unwritten.isEmpty,
            output.linesSinceCompaction > max(compactAfterLines, 4 * (graph.unitCount + graph.edgeCount))
        else { return false }
        output.busy = true
        // Keep recent history for the timeline, at most half the threshold, so a compaction always shrinks the file.
        let history = Array(ring.all.suffix(min(10_000, compactAfterLines / 2)).map(\.json))
        let before = output.linesSinceCompaction
        let core = NIOLoopBound(self, eventLoop: loop)
        journal.compact(instance: hello.instance, snapshot: graph.snapshot, history: history, on: loop).whenComplete {
            result in
            let core = core.value
            core.output.busy = false
            switch result {
            case .success:
                core.output.linesSinceCompaction = history.count + 1
                core.logger.info("journal compacted", metadata: ["lines before": "\(before)", "journal": "\(journal.path)"])
            case .failure(let error):
                core.logger.warning("journal compaction failed; the journal stays as it was", metadata: ["error": "\(error)"])
            }
            core.startSync()
            core.notifyIfDrained()
        }
        return true
    }

    /// Writes frames, grouped per connection, keeping their order.
    func deliver(_ frames: [OutputPipeline.Frame]) {
        var perConnection: [UInt64: [String]] = [:]
        var order: [UInt64] = []
        for frame in frames {
            if perConnection[frame.connection] == nil { order.append(frame.connection) }
            perConnection[frame.connection, default: []].append(frame.frame)
        }
        for id in order {
            guard let connection = connections[id] else { continue }
            let frames = perConnection[id]!
            connection.queuedBytes = max(0, connection.queuedBytes - frames.reduce(0) { $0 + $1.utf8.count })
            connection.write(frames)
            scheduleBacklog(connection)
        }
    }

    /// Closes the connection once every frame queued for it so far has left and nothing is in flight: an empty
    /// marker frame travels through the pipeline behind them.
    func closeWhenIdle(_ connection: Connection) {
        connection.closeWhenIdle = true
        queue("", for: connection, tag: .plain)
    }
}
