import NIOCore
import SyncCore
import SyncProtocol

/// The cross-agent wake in one round trip: another agent's notification carries the events its change stored
/// (``SharedEventStore/notifiedEvents(after:)``), so the agent applies them without reading the store; when they
/// make a start parked here ready, the agent works out what settling it records (``UnitGraph/foreignStartsPlan()``)
/// and stores that with ``SharedEventStore/appendIfCurrent(_:on:)``, which takes the lock and appends only if
/// nobody stored anything since the events the agent applied. Only once that committed does the graph settle the
/// starts, recording exactly those events (already stored), and the released client get its answer.
///
/// When the append is declined (another agent got there first), nothing happened here: the agent opens a change as
/// it always did (the lock, the others' events, the settle), one round trip later. When the notifications did not
/// carry their events, or a settle could reach beyond the starts concerned, it goes that way from the start.
extension AgentCore {
    /// Applies the events the notifications carried and settles what they made ready (in one step when it can).
    /// - Returns: `false` when the notifications did not carry all their events: the agent reads the store.
    func applyNotifiedEvents(_ store: any SharedEventStore) -> Bool {
        guard sharing?.running == false, journal.problem == nil,
            let events = store.notifiedEvents(after: graph.nextSequence - 1)
        else { return false }
        applyForeign(events)
        flushAll()
        guard graph.hasForeignStarts, sharing?.queue.isEmpty == true, !journal.hasUnwritten, !shuttingDown,
            let kinds = graph.foreignStartsPlan()
        else { return true }
        guard !kinds.isEmpty else {
            // Nothing to record (the starts' units became unready again): settled here, no lock needed.
            graph.settleForeignStarts()
            afterChange()
            flushAll()
            return true
        }
        let time = clock()
        let first = graph.nextSequence
        let planned = kinds.enumerated().map { SyncEvent(sequence: first + UInt64($0), time: time, kind: $1) }
        sharing?.running = true
        let core = NIOLoopBound(self, eventLoop: loop)
        store.appendIfCurrent(planned.map { EncodedEvent($0) }, on: loop).whenComplete { result in
            let core = core.value
            switch result {
            case .success(.stored):
                core.settleStoredForeignStarts(planned, at: time)
            case .success(.declined):
                // Still concerned: the next step is a change under the lock (see `pumpShared()`).
                core.sharedStepEnded()
            case .failure(let error):
                core.sharedStoreFailed(error)
            }
        }
        return true
    }

    /// The settle whose events `planned` are stored: the graph records them (at their time) and the released
    /// clients are answered at once, the events being durable already.
    private func settleStoredForeignStarts(_ planned: [SyncEvent], at time: Timestamp) {
        graph.settleForeignStarts(at: time)
        let recorded = graph.drainEvents()
        if recorded != planned {
            logger.critical(
                "the settle of parked starts recorded other events than those stored; restart this agent",
                metadata: ["stored": "\(planned.map(\.summary))", "recorded": "\(recorded.map(\.summary))"])
            assertionFailure("settle differs from its plan")
        }
        for event in recorded {
            logger.debug("\(event.summary)", metadata: ["seq": "\(event.sequence)"])
            let entry = EventRing.Entry(event)
            ring.append(entry)
            publish(entry)
        }
        journal.caughtUp(through: graph.nextSequence - 1)
        afterChange()
        flushAll()
        sharedStepEnded()
    }
}
