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
        journal.queue(OutputPipeline.Frame(connection: connection.id, frame: frame, tag: tag))
    }

    /// Queues the final reply to a request whose answer depends on the graph as it is now.
    func reply(_ message: ServerMessage, to connection: Connection, id: Int64) {
        send(message, to: connection, tag: .reply(id: id, through: graph.nextSequence - 1))
    }

    /// Ends the loop turn: sends what may leave and starts an append for the rest.
    func flushAll() {
        deliver(journal.seal())
        startSync()
        notifyIfDrained()
    }

    /// Runs `body` once nothing waits for the store any more.
    func whenOutputDrained(_ body: @escaping () -> Void) {
        journal.whenIdle(body)
    }

    func notifyIfDrained() {
        journal.takeDrainWaiters().forEach { $0() }
    }

    /// Hands the events recorded so far to the store, unless an append or compaction is running.
    func startSync() {
        // Every event so far has been recorded (events are drained at the end of each request).
        guard let store = journal.store, let events = journal.beginAppend(through: graph.nextSequence - 1) else {
            return
        }
        let core = NIOLoopBound(self, eventLoop: loop)
        store.append(events, on: loop).whenComplete { result in
            let core = core.value
            switch result {
            case .success(.durable):
                core.deliver(core.journal.appended(events.count))
                if core.sharing?.appending == true {
                    core.sharedStepEnded()
                } else if !core.compactIfDue() {
                    core.startSync()
                }
            case .success(.failed(let failure, let stored)):
                core.journalFailed(failure, stored: stored)
                if core.sharing?.appending == true { core.sharedStepEnded() }
            case .failure(let error):
                // The store's worker is gone: the agent is stopping.
                core.journalFailed(
                    StoreFailure(description: "journal \(store.location): \(error)"),
                    stored: .failure(StoreFailure(description: "the journal's thread stopped")))
            }
            core.notifyIfDrained()
        }
    }

    /// Rewrites the store as a snapshot when it has grown and everything produced is stored.
    /// - Returns: whether a compaction started (it starts the next append itself when done).
    private func compactIfDue() -> Bool {
        // Several agents read a shared store's events after their own last one: it is not compacted under them.
        guard let store = journal.store, sharing == nil,
            journal.compactionDue(graphSize: graph.unitCount + graph.edgeCount)
        else {
            return false
        }
        let before = journal.beginCompaction(through: graph.nextSequence - 1)
        let history = Array(ring.all.suffix(journal.historyLength))
        let core = NIOLoopBound(self, eventLoop: loop)
        store.compact(instance: hello.instance, snapshot: graph.snapshot, history: history, on: loop).whenComplete {
            result in
            let core = core.value
            switch result {
            case .success:
                core.deliver(core.journal.compactionEnded(keeping: history.count))
                core.logger.info(
                    "journal compacted", metadata: ["lines before": "\(before)", "journal": "\(store.location)"])
            case .failure(let error):
                core.journal.compactionEnded(keeping: nil)
                core.logger.warning(
                    "journal compaction failed; the journal stays as it was", metadata: ["error": "\(error)"])
            }
            core.startSync()
            core.notifyIfDrained()
        }
        return true
    }

    /// Writes frames, grouped per connection, keeping their order: each connection that has frames gets one write
    /// of all of them, in the order the connections first appear.
    func deliver(_ frames: [OutputPipeline.Frame]) {
        // Gathered on the connections themselves, straight into the buffer each one writes: one lookup per frame,
        // no dictionary of arrays (a release of 10,000 waiters writes to 10,000 connections in one call).
        var order: [Connection] = []
        order.reserveCapacity(frames.count)
        for frame in frames {
            guard let connection = connections[frame.connection] else { continue }
            if connection.outgoing == nil {
                order.append(connection)
                connection.outgoing = connection.channel.allocator.buffer(capacity: frame.frame.utf8.count)
            }
            connection.outgoing!.writeString(frame.frame)
        }
        for connection in order {
            // A write that fails closes its connection, which delivers what that queued at once: what it took is gone.
            guard let buffer = connection.outgoing else { continue }
            connection.outgoing = nil
            connection.queuedBytes = max(0, connection.queuedBytes - buffer.readableBytes)
            connection.write(buffer)
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
