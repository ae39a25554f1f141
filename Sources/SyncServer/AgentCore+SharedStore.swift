import NIOCore
import SyncCore
import SyncProtocol

/// An agent on a shared store (``SharedEventStore``): every change is one transaction under the workspace's lock,
/// and every read answers after the agent caught up with what other agents stored.
///
/// Requests that read or change the graph are queued (``whenCurrent(changes:isRequest:_:)``) and run in arrival
/// order, all at once, when the agent's graph is current: after a catch-up for reads, inside a change for changes.
/// A change: ``SharedEventStore/beginChange(after:on:)`` takes the lock and returns the events others stored; they
/// are applied as on replay, waking this agent's waiters and reaching its subscribers as if they had happened here;
/// the queued requests run with the engine; parked starts that the others' events made ready are settled; the
/// events go to the store in one append, which commits and tells the other agents; the replies leave once it
/// committed, as they do after the journal's sync. With the journal file nothing is queued: ``sharing`` is `nil`
/// and work runs at once.
extension AgentCore {
    /// The mark of a read answered while the shared store cannot be reached (from the agent's last copy of the
    /// graph); `nil` on the journal file and while the store is reachable.
    var staleRead: StaleRead? {
        guard let sharing, journal.problem != nil, let since = sharing.unreachableSince else { return nil }
        return StaleRead(store: sharing.store.storeAddress, since: since)
    }

    /// `units` with the agent that made each one's last change (``UnitInfo/changedBy``), on a shared store; as they
    /// are otherwise.
    func withOrigins(_ units: [UnitInfo]) -> [UnitInfo] {
        guard let sharing else { return units }
        var units = units
        for (index, origin) in sharing.store.origins(of: units.map(\.name)).enumerated() {
            units[index].changedBy = origin
        }
        return units
    }

    /// Runs `body` now without a shared store (or inside a change), else once the graph is current.
    /// - Parameters:
    ///   - changes: `body` may change the graph.
    ///   - isRequest: `body` answers a client (see ``SharedChanges/Work/isRequest``).
    func whenCurrent(changes: Bool, isRequest: Bool = true, _ body: @escaping () -> Void) {
        guard sharing != nil, sharing?.inChange == false else {
            body()
            return
        }
        sharing?.queue.append(SharedChanges.Work(changes: changes, isRequest: isRequest, body: body))
        pumpShared()
    }

    /// Ends a parked wait in the graph (a timeout, a cancel, a client gone): at once, or in the next change.
    func endWaitInGraph(_ waitID: WaitID, outcome: WaitOutcome) {
        whenCurrent(changes: true, isRequest: false) { [unowned self] in
            graph.endWait(waitID, outcome: outcome)
        }
    }

    /// Another agent stored events: catch up, wake waiters (with starts parked, in a change: see ``pumpShared()``).
    ///
    /// When nothing here waits for the others' events (no parked request, no subscriber, nothing queued), the
    /// catch-up waits ``idleCatchUpDelay``, and one catch-up then serves every notification meanwhile: a read or a
    /// change reads the events first anyway, and a catch-up running when a request arrives would hold it back by a
    /// round trip to the store (the wake of a `start` parked on another agent begins with a `complete` here). The
    /// agent still keeps up with the others, so it never falls behind the store's retention.
    func sharedStoreWoke() {
        guard let sharing else { return }
        if applyNotifiedEvents(sharing.store) {
            pumpShared()
            return
        }
        if parked.isEmpty, subscriptions.isEmpty, sharing.queue.isEmpty {
            guard !sharing.idleCatchUpScheduled else { return }
            self.sharing?.idleCatchUpScheduled = true
            let core = NIOLoopBound(self, eventLoop: loop)
            loop.scheduleTask(in: Self.idleCatchUpDelay) {
                let core = core.value
                core.sharing?.idleCatchUpScheduled = false
                core.sharing?.wakeRequested = true
                core.pumpShared()
            }
            return
        }
        self.sharing?.wakeRequested = true
        pumpShared()
    }

    /// How long an agent that nothing waits on lets the others' notifications gather before it catches up.
    static let idleCatchUpDelay = TimeAmount.milliseconds(50)

    /// Starts the next change or catch-up, if one is due and none runs.
    func pumpShared() {
        guard let sharing, !sharing.running, !shuttingDown || !sharing.queue.isEmpty else { return }
        if journal.problem != nil {
            // The store is unreachable: requests are answered from the graph as it is (changes are refused by
            // `refusal(of:)`); the agent's own bookkeeping waits for the store.
            let ready = sharing.queue.filter(\.isRequest)
            guard !ready.isEmpty else { return }
            self.sharing?.queue.removeAll { $0.isRequest }
            for work in ready { work.body() }
            afterChange()
            flushAll()
            return
        }
        if sharing.wakeRequested, applyNotifiedEvents(sharing.store) {
            self.sharing?.wakeRequested = false
            pumpShared()
            return
        }
        // Another agent's events may make a parked start ready, which this agent then records in a change: with
        // starts parked, a notification opens the change at once (which reads the same events under the lock),
        // rather than catching up first and only then finding out.
        if sharing.needsChange || graph.hasForeignStarts || (sharing.wakeRequested && graph.hasParkedStarts) {
            beginSharedChange(sharing.store)
        } else if !sharing.queue.isEmpty || sharing.wakeRequested {
            catchUpShared(sharing.store)
        }
    }

    private func beginSharedChange(_ store: any SharedEventStore) {
        sharing?.running = true
        sharing?.wakeRequested = false
        let core = NIOLoopBound(self, eventLoop: loop)
        store.beginChange(after: graph.nextSequence - 1, on: loop).whenComplete { result in
            let core = core.value
            switch result {
            case .success(let events):
                core.sharing?.failedAttempts = 0
                if core.journal.problem != nil {
                    core.journal.recovered(through: core.graph.nextSequence - 1, historyCount: 0)
                    core.storeReachedAgain()
                    core.logger.notice(
                        "shared store reached again; changes are accepted again",
                        metadata: ["store": "\(store.location)"])
                }
                core.applyForeign(events)
                core.runQueuedWork(inChange: true)
                if core.journal.hasUnwritten {
                    core.sharing?.appending = true
                    core.flushAll()
                } else {
                    core.flushAll()
                    let bound = NIOLoopBound(core, eventLoop: core.loop)
                    store.endChange(on: core.loop).whenComplete { _ in
                        bound.value.sharedStepEnded()
                    }
                }
            case .failure(let error):
                core.sharedStoreFailed(error)
            }
        }
    }

    private func catchUpShared(_ store: any SharedEventStore) {
        sharing?.running = true
        sharing?.wakeRequested = false
        let core = NIOLoopBound(self, eventLoop: loop)
        store.catchUp(after: graph.nextSequence - 1, on: loop).whenComplete { result in
            let core = core.value
            switch result {
            case .success(let events):
                core.applyForeign(events)
                core.runQueuedWork(inChange: false)
                core.flushAll()
                core.sharedStepEnded()
            case .failure(let error):
                core.sharedStoreFailed(error)
            }
        }
    }

    /// A change or catch-up ended: the next one may start.
    func sharedStepEnded() {
        sharing?.running = false
        sharing?.appending = false
        pumpShared()
    }

    /// Applies events other agents stored: the graph, this agent's completion waits, its history and its
    /// subscribers, as if they had happened here (they are not stored again).
    func applyForeign(_ events: [SyncEvent]) {
        guard !events.isEmpty else { return }
        for event in events where event.sequence == graph.nextSequence {
            graph.applyForeign(event)
            var entry = EventRing.Entry(event)
            entry.origin = sharing?.store.origin(ofEvent: event.sequence).map { JSON.string($0).compact }
            ring.append(entry)
            publish(entry)
        }
        journal.caughtUp(through: graph.nextSequence - 1)
        afterChange()
    }

    /// Runs the queued work: inside a change all of it, then the parked starts others' events concern; after a
    /// catch-up the reads at its head (a change behind them keeps its place and everything after it).
    private func runQueuedWork(inChange: Bool) {
        guard var sharing else { return }
        var work: [SharedChanges.Work]
        if inChange {
            work = sharing.queue
            sharing.queue = []
        } else {
            let reads = sharing.queue.prefix { !$0.changes }
            work = Array(reads)
            sharing.queue.removeFirst(reads.count)
        }
        sharing.inChange = inChange
        self.sharing = sharing
        for item in work { item.body() }
        if inChange { graph.settleForeignStarts() }
        afterChange()
        self.sharing?.inChange = false
    }

    /// The store could not be reached: changes are refused until a change can be opened again.
    func sharedStoreFailed(_ error: any Error) {
        sharing?.running = false
        sharing?.appending = false
        if let gap = error as? SharedStoreGap, let store = sharing?.store {
            reloadShared(store, because: gap)
            return
        }
        let failure = error as? StoreFailure ?? StoreFailure(description: "\(error)")
        if journal.problem == nil {
            logger.error(
                "shared store unreachable; changes are refused until it is back",
                metadata: ["error": "\(failure)"])
            deliver(journal.failed(failure, stored: graph.nextSequence - 1))
            storeBecameUnreachable(failure)
            flushAll()
        } else {
            logger.debug("shared store still unreachable", metadata: ["error": "\(failure)"])
        }
        scheduleRecovery(in: sharing?.retryDelay(base: journalRetryInterval))
        sharing?.failedAttempts += 1
        pumpShared()
        notifyIfDrained()
    }

    /// Tries to open a change again; its success ends the refusal of changes (see ``beginSharedChange(_:)``).
    func attemptSharedRecovery(_ store: any SharedEventStore) {
        guard journal.problem != nil, !shuttingDown, sharing?.running == false else { return }
        beginSharedChange(store)
    }
}
