/// Events that other agents recorded, in a graph several agents share through one store.
///
/// Each agent keeps its own copy of the shared graph and its own parked waits. An event another agent stored is
/// applied as ``replay(_:)`` applies one (the state changes, nothing it implies is recorded again: the other agent
/// recorded that too), and then what it means for this agent's waits follows: completion waits are resolved at once
/// (they record nothing), while parked starts that the event made ready, or that another agent started or failed,
/// are only noted. Releasing them records events (the winner's `started`), so the agent does that in a change of its
/// own, holding the store's lock, with ``settleForeignStarts()``.
extension UnitGraph {
    /// Applies an event another agent stored, right after the last one this graph holds.
    /// - Returns: the completion waits it resolved are in ``drainResolutions()``; see ``hasForeignStarts``.
    public mutating func applyForeign(_ event: SyncEvent) {
        apply(event.kind, at: event.time)
        nextSequence = max(nextSequence, event.sequence + 1)
        for change in unsettled {
            settleCompletionWaits(of: change.unit, from: change.from, to: change.to)
            if waits.startWaiters[change.unit] != nil, change.to == .started || change.to.isFailure {
                foreignStarts.insert(change.unit)
            }
        }
        for unit in becameReady where waits.startWaiters[unit] != nil {
            foreignStarts.insert(unit)
        }
        unsettled.removeAll(keepingCapacity: true)
        becameReady.removeAll(keepingCapacity: true)
    }

    /// Whether parked starts wait for ``settleForeignStarts()``.
    public var hasForeignStarts: Bool { !foreignStarts.isEmpty }

    /// Whether any `start` is parked here (another agent's events may make it ready).
    public var hasParkedStarts: Bool { !waits.startWaiters.isEmpty }

    /// Settles the parked starts that other agents' events concerned, as this agent's own change: a unit that became
    /// ready is started for its first parked start (the others lose with `same status already set`); a unit another
    /// agent started already refuses them all; a failed or skipped unit releases them with `dependency_failed`.
    public mutating func settleForeignStarts() {
        let units = foreignStarts.sorted()
        foreignStarts.removeAll()
        for unit in units {
            guard waits.startWaiters[unit] != nil, let current = self.units[unit] else { continue }
            if current.status.isFailure {
                releaseStarts(of: unit, failing: failureCause(of: unit.name))
            } else if current.status == .started {
                for id in waits.startWaiters[unit] ?? [] {
                    refuseStart(id, of: unit)
                }
            } else {
                becameReady.append(unit)
            }
            settle()
        }
    }
}

extension UnitGraph {
    /// Forgets the events recorded since the last drain, their numbers included; what they changed stays. For the
    /// waits an agent parks again after a change to a shared store failed: the store holds them already, and the
    /// numbers belong to the next change.
    public mutating func discardPendingEvents() {
        nextSequence -= UInt64(outbox.count)
        outbox.removeAll(keepingCapacity: true)
    }
}
