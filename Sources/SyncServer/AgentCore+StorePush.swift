import SyncCore
import SyncProtocol

/// What subscribers of protocol version 3 learn about a shared store as it happens, rather than from the replies
/// to reads: the store becoming unreachable and reachable again (the `store` push, ``StoreReachability``), which
/// agent made each change (an event's `origin`), and the units' `changed_by` in snapshots.
extension AgentCore {
    /// The `store` push of the shared store's state while the agent cannot reach it; `nil` on the journal file and
    /// while the store is reachable.
    var storeUnreachability: StoreReachability? {
        guard let stale = staleRead else { return nil }
        return StoreReachability(
            store: stale.store, reachable: false, since: stale.since, reason: sharing?.unreachableReason)
    }

    /// The agent found the shared store unreachable (a change or catch-up failed): reads are marked stale from now
    /// on, and subscribers are told. Once per outage: nothing happens while it is already unreachable.
    func storeBecameUnreachable(_ failure: StoreFailure) {
        guard let sharing, sharing.unreachableSince == nil else { return }
        let since = clock()
        self.sharing?.unreachableSince = since
        self.sharing?.unreachableReason = Self.describe(failure)
        pushToSubscribers(
            StoreReachability(
                store: sharing.store.storeAddress, reachable: false, since: since, reason: Self.describe(failure)))
    }

    /// The agent reached the shared store again after it could not: reads are current again, and subscribers are
    /// told.
    func storeReachedAgain() {
        guard let sharing, sharing.unreachableSince != nil else { return }
        self.sharing?.unreachableSince = nil
        self.sharing?.unreachableReason = nil
        pushToSubscribers(StoreReachability(store: sharing.store.storeAddress, reachable: true, since: clock()))
    }

    /// Queues a `store` push to every subscription whose connection speaks a version that has it, behind the
    /// frames queued for it so far.
    private func pushToSubscribers(_ reachability: StoreReachability) {
        let push = Push.store(reachability)
        for subscription in subscriptions.all {
            guard let connection = connections[subscription.connection],
                connection.version >= ProtocolVersion.introduced(push)
            else { continue }
            send(.push(subscription.requestID, push), to: connection)
        }
    }

    /// The graph as a client of protocol `version` may see it, with each unit's `changed_by` on a shared store from
    /// version 3 on (``ProtocolVersion/origins``).
    func shownSnapshot(to version: Int64) -> GraphSnapshot {
        var snapshot = graph.snapshot.visible(to: version)
        if sharing != nil, version >= ProtocolVersion.origins { snapshot.units = withOrigins(snapshot.units) }
        return snapshot
    }
}
