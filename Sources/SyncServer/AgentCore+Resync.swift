import NIOCore
import SyncCore
import SyncProtocol

/// An agent on a shared store that fell behind the store's retention (cut off while the other agents wrote more
/// events than the store keeps, so the events it needs next were deleted) reloads the workspace by itself, without a
/// restart: the store's snapshot and the events after it replace its graph and its history; its parked waits stay
/// and meet the new state as a catch-up would have made them meet it (``UnitGraph/adoptReloaded(_:)``); its
/// subscribers are sent the new state.
extension AgentCore {
    /// Reads the workspace back (``SharedEventStore/reload(on:)``) and takes it; a store that cannot be reached
    /// fails as a catch-up does. One step of the shared store's work: nothing else runs meanwhile.
    func reloadShared(_ store: any SharedEventStore, because gap: SharedStoreGap) {
        sharing?.running = true
        logger.warning(
            "this agent fell behind the shared store's retention; reloading the workspace's snapshot",
            metadata: ["store": "\(store.location)", "expected": "\(gap.expected)", "oldest kept": "\(gap.found)"])
        let core = NIOLoopBound(self, eventLoop: loop)
        store.reload(on: loop).whenComplete { result in
            let core = core.value
            switch result {
            case .success(let state):
                core.adoptReloaded(state, from: store)
                core.sharedStepEnded()
            case .failure(let error):
                core.sharedStoreFailed(error)
            }
        }
    }

    /// Replaces the graph and the history with `state`, keeping the parked waits; answers the waits it settles,
    /// accepts changes again if they were refused, and re-synchronises the subscribers (see
    /// ``resynchronizeSubscribers(after:)``).
    private func adoptReloaded(_ state: StoredState, from store: any SharedEventStore) {
        let before = graph.nextSequence - 1
        graph.adoptReloaded(state.graph ?? UnitGraph(snapshot: state.snapshot, clock: clock))
        ring = EventRing(capacity: ring.capacity)
        for event in state.events.suffix(ring.capacity) {
            var entry = EventRing.Entry(event)
            entry.origin = store.origin(ofEvent: event.sequence).map { JSON.string($0).compact }
            ring.append(entry)
        }
        let latest = graph.nextSequence - 1
        journal.caughtUp(through: latest)
        logger.notice(
            "shared workspace reloaded; this agent serves changes again",
            metadata: ["store": "\(store.location)", "was at": "\(before)", "sequence": "\(latest)"])
        if journal.problem != nil {
            journal.recovered(through: latest, historyCount: 0)
            storeReachedAgain()
        }
        resynchronizeSubscribers(after: before)
        afterChange()
        flushAll()
    }

    /// Sends every subscriber the reloaded state: a subscription of protocol version 3 or later gets a new
    /// `snapshot` push, which replaces what it had; an older one, which expects a snapshot only first, ends with
    /// `too_slow` and the last sequence it was sent (`before`), from which subscribing again gets the snapshot.
    private func resynchronizeSubscribers(after before: UInt64) {
        let latest = graph.nextSequence - 1
        for subscription in subscriptions.all {
            guard let connection = connections[subscription.connection] else { continue }
            let id = subscription.requestID
            if connection.version >= ProtocolVersion.resnapshots {
                send(
                    snapshotPush(id: id, version: connection.version), to: connection,
                    tag: .snapshot(id: id, through: latest))
                continue
            }
            unsubscribe(id, on: connection)
            let message =
                "the agent reloaded the shared store's snapshot (it fell behind the store's retention); subscribe "
                + "again with since=\(before) to get it"
            send(.error(id, WireError(.tooSlow, message, since: before)), to: connection)
        }
    }
}
