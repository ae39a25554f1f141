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
    /// The events ``settleForeignStarts()`` would record now, worked out without recording anything (for an agent
    /// that stores them first, only if nobody stored anything meanwhile, and settles with
    /// ``settleForeignStarts(at:)`` once they are stored).
    ///
    /// Costs the parked starts concerned and the dependents of the units they start, never the graph.
    /// - Returns: `nil` when settling could reach further than those starts: a unit it starts has a dependent
    ///   waiting for it to be `started`, or for the status it leaves (another parked start could become ready or
    ///   unready in the same step); such a settle belongs in a change under the store's lock.
    public func foreignStartsPlan() -> [SyncEvent.Kind]? {
        var kinds: [SyncEvent.Kind] = []
        for unit in foreignStarts.sorted() {
            guard let ids = waits.startWaiters[unit], let first = ids.first, let current = units[unit] else { continue }
            if current.status.isFailure {
                kinds += ids.map { _ in .waitEnded(unit: unit.name, outcome: .dependencyFailed) }
            } else if current.status == .started {
                kinds += ids.map { _ in .waitEnded(unit: unit.name, outcome: .refused) }
            } else if current.unmet == 0 {
                for required in (reverse[unit] ?? [:]).values where required == .started || required == current.status {
                    return nil
                }
                kinds.append(.waitEnded(unit: unit.name, outcome: .started))
                kinds.append(
                    .statusChanged(
                        unit: unit.name, from: current.status, to: .started, reason: nil, cause: nil,
                        by: waits.starts[first]?.token))
                kinds += ids.dropFirst().map { _ in .waitEnded(unit: unit.name, outcome: .refused) }
            }
        }
        return kinds
    }

    /// ``settleForeignStarts()`` with every event it records at `time`: the settle of a ``foreignStartsPlan()``
    /// stored as events at `time`, which then records exactly those events.
    public mutating func settleForeignStarts(at time: Timestamp) {
        pinnedTime = time
        defer { pinnedTime = nil }
        settleForeignStarts()
    }

    /// Forgets the events recorded since the last drain, their numbers included; what they changed stays. For the
    /// waits an agent parks again after a change to a shared store failed: the store holds them already, and the
    /// numbers belong to the next change.
    public mutating func discardPendingEvents() {
        nextSequence -= UInt64(outbox.count)
        outbox.removeAll(keepingCapacity: true)
    }
}
