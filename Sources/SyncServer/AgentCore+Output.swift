import NIOCore
import SyncCore
import SyncProtocol

/// Every frame goes out through here, after the journal holds what it acknowledges.
extension AgentCore {
    /// Queues a frame for `connection`; it leaves at the end of the loop turn, once durable.
    func send(_ message: ServerMessage, to connection: Connection) {
        output.current.append((connection.id, message.frame))
    }

    /// Ends the loop turn: sends what may leave and starts a journal sync for the rest.
    func flushAll() {
        deliver(output.seal())
        startSync()
        notifyIfDrained()
    }

    private func notifyIfDrained() {
        guard !drainWaiters.isEmpty, output.isIdle else { return }
        let waiters = drainWaiters
        drainWaiters.removeAll()
        waiters.forEach { $0() }
    }

    private func startSync() {
        guard let journal = output.journal, let lines = output.startSync() else { return }
        let core = NIOLoopBound(self, eventLoop: loop)
        journal.append(lines, on: loop).whenComplete { result in
            let core = core.value
            if case .failure(let error) = result {
                core.logger.error(
                    "journal write failed; changes are kept in memory only",
                    metadata: ["journal": "\(journal.path)", "error": "\(error)"])
            }
            core.deliver(core.output.synced(lines.count))
            if !core.compactIfDue() { core.startSync() }
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
    func deliver(_ frames: [(connection: UInt64, frame: String)]) {
        var perConnection: [UInt64: [String]] = [:]
        var order: [UInt64] = []
        for (connection, frame) in frames {
            if perConnection[connection] == nil { order.append(connection) }
            perConnection[connection, default: []].append(frame)
        }
        for id in order {
            connections[id]?.write(perConnection[id]!)
        }
    }

    /// Closes the connection once every frame queued for it so far has left and nothing is in flight: an empty
    /// marker frame travels through the pipeline behind them.
    func closeWhenIdle(_ connection: Connection) {
        connection.closeWhenIdle = true
        output.current.append((connection.id, ""))
    }
}
