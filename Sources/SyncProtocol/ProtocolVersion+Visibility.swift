import SyncCore

/// What a client of each protocol version may be sent. The agent remembers the version a connection's `hello`
/// named and shows it only what that version has: a client written for version 1 (which refuses an event kind it
/// does not know) never sees a `noted` or `readiness` event, nor a unit's `note` or `readiness` field.
extension ProtocolVersion {
    /// The version that introduced the event kind.
    public static func introduced(_ kind: SyncEvent.Kind) -> Int64 {
        switch kind {
        case .registered, .dependencyAdded, .statusChanged, .waitBegan, .waitEnded: return 1
        case .noted, .readiness: return 2
        }
    }

    /// The version that introduced the push: a subscription of an older version is never sent it (a client of
    /// version 1 or 2 ends its request with `bad_reply` on a push it does not know).
    public static func introduced(_ push: Push) -> Int64 {
        switch push {
        case .startWaiting, .waitWaiting, .snapshot, .unknownEvent: return 1
        case .event(let event, let origin):
            return origin == nil ? introduced(event.kind) : max(origins, introduced(event.kind))
        case .store: return storePushes
        }
    }

    /// The version that introduced the subscription's `store` push (``StoreReachability``).
    public static let storePushes: Int64 = 3

    /// The version from which an agent on a shared store says which agent made each change: an event push's
    /// `origin`, and `changed_by` in the units of a snapshot (the `snapshot` and `history` replies and the
    /// subscription's snapshot).
    public static let origins: Int64 = 3

    /// The version from which a subscription may get a second `snapshot` push, after the agent reloaded its shared
    /// store (it fell behind the store's retention): it replaces everything the client had. An older subscription
    /// ends with `too_slow` instead, and subscribing again with its `since` gets the snapshot.
    public static let resnapshots: Int64 = 3

    /// The version that introduced the request. An agent that speaks only an earlier one does not know it.
    public static func introduced(_ request: Request.Body) -> Int64 {
        switch request {
        case .note, .readiness: return 2
        case .hello, .ping, .want, .start, .complete, .fail, .status, .list, .wait, .cancel, .snapshot, .subscribe,
            .history:
            return 1
        }
    }
}

extension UnitInfo {
    /// The unit as a client of protocol `version` may see it: without `note` and `readiness` below version 2.
    public func visible(to version: Int64) -> UnitInfo {
        guard version < 2 else { return self }
        var info = self
        info.note = nil
        info.readiness = nil
        return info
    }
}

extension GraphSnapshot {
    /// The snapshot as a client of protocol `version` may see it (see ``UnitInfo/visible(to:)``).
    public func visible(to version: Int64) -> GraphSnapshot {
        guard version < 2 else { return self }
        var snapshot = self
        snapshot.units = units.map { $0.visible(to: version) }
        return snapshot
    }
}

extension UnitStatusReport {
    /// The report as a client of protocol `version` may see it (see ``UnitInfo/visible(to:)``).
    public func visible(to version: Int64) -> UnitStatusReport {
        guard version < 2 else { return self }
        var report = self
        report.info = info?.visible(to: version)
        return report
    }
}
