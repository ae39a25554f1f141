/// What follows a status change: parked starts released, failures propagated, completion waits resolved.
extension UnitGraph {
    /// Works through every unsettled change until nothing more follows. Each step touches only the dependents of
    /// the unit that changed and the waits on it.
    mutating func settle() {
        // Both queues are worked through by index (a failure or a completion may fill them with thousands of units;
        // removing from the front each time would cost the rest of the queue) and emptied at the end.
        var nextChange = 0
        var nextReady = 0
        while nextChange < unsettled.count || nextReady < becameReady.count {
            if nextChange < unsettled.count {
                let change = unsettled[nextChange]
                nextChange += 1
                settleStatusChange(change.unit, from: change.from, to: change.to)
            } else {
                let unit = becameReady[nextReady]
                nextReady += 1
                releaseStarts(of: unit)
            }
        }
        unsettled.removeAll(keepingCapacity: true)
        becameReady.removeAll(keepingCapacity: true)
    }

    private mutating func settleStatusChange(_ unit: UnitKey, from: UnitStatus?, to: UnitStatus) {
        if to.isFailure {
            let record = units[unit]
            if to == .failed {
                let cause = FailureCause(root: unit.name, reason: record?.reason, chain: [unit.name])
                releaseStarts(of: unit, failing: cause)
                passFailure(from: unit, root: unit.name, reason: record?.reason, chain: [unit.name])
            } else if let cause = record?.cause {
                passFailure(from: unit, root: cause.root, reason: cause.reason)
            } else {
                passFailure(from: unit, root: unit.name, reason: nil, chain: [unit.name])
            }
        }
        settleCompletionWaits(of: unit, from: from, to: to)
    }

    /// Resolves the completion waits that a status change of `unit` settles (records no event).
    mutating func settleCompletionWaits(of unit: UnitKey, from: UnitStatus?, to: UnitStatus) {
        guard !waits.completionWatchers.isEmpty else { return }
        for id in (waits.completionWatchers[unit] ?? []).sorted() {
            if to.isFailure {
                resolve(id, .failure(unitFailedError(unit.name)))
            } else if to == .completed, let done = waits.markCompleted(unit, in: id) {
                resolve(id, .success(.completed(units: done)))
            } else if from == .completed {
                waits.markIncomplete(unit, in: id)
            }
        }
    }

    /// Releases the parked starts of a unit that just became ready: the first is marked started in the same step,
    /// the others lose to it with `same status already set`.
    mutating func releaseStarts(of unit: UnitKey) {
        // One lookup for both the readiness and the status the start changes (a wait's end changes no unit).
        let index = units.index(forKey: unit)
        guard index.map({ units.values[$0].unmet == 0 }) ?? true else { return }
        let from = index.map { units.values[$0].status }
        let parked = waits.unparkStarts(of: unit)
        guard let (first, wait) = parked.first else { return }
        record(.waitEnded(unit: unit.name, outcome: .started))
        // What `setStatus(unit.name, .started, by: wait.token)` records, without looking the unit up again.
        record(.statusChanged(unit: unit.name, from: from, to: .started, reason: nil, cause: nil, by: wait.token))
        let info = StartInfo(
            unit: unit.name, dependencies: wait.dependencies, unsatisfiedAtStart: wait.unsatisfied, waited: true)
        resolutions.append(WaitResolution(id: first, result: .success(.started(info))))
        for (id, _) in parked.dropFirst() {
            refused(id, of: unit)
        }
    }

    /// Ends the parked start `id` of `unit`, which another start won, with `same status already set`.
    mutating func refuseStart(_ id: WaitID, of unit: UnitKey) {
        waits.unpark(start: id)
        refused(id, of: unit)
    }

    /// Records the end of the start `id` of `unit`, already unparked, refused with `same status already set`.
    private mutating func refused(_ id: WaitID, of unit: UnitKey) {
        record(.waitEnded(unit: unit.name, outcome: .refused))
        let message =
            "cannot start unit \(goQuoted(unit.name)): checking status for unit \(goQuoted(unit.name)): "
            + "same status already set"
        resolutions.append(WaitResolution(id: id, result: .failure(SyncError(.sameStatus, message))))
    }

    /// Releases every parked start of `unit` with `dependency_failed`.
    mutating func releaseStarts(of unit: UnitKey, failing cause: FailureCause) {
        for id in waits.startWaiters[unit] ?? [] {
            waits.unpark(start: id)
            record(.waitEnded(unit: unit.name, outcome: .dependencyFailed))
            resolutions.append(WaitResolution(id: id, result: .failure(Self.dependencyFailedError(cause))))
        }
    }

    private mutating func resolve(_ id: WaitID, _ result: Result<WaitResolution.Success, SyncError>) {
        waits.unpark(completion: id)
        resolutions.append(WaitResolution(id: id, result: result))
    }
}
