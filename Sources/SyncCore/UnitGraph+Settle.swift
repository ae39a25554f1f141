/// What follows a status change: parked starts released, failures propagated, completion waits resolved.
extension UnitGraph {
    /// Works through every unsettled change until nothing more follows. Each step touches only the dependents of
    /// the unit that changed and the waits on it.
    mutating func settle() {
        while !unsettled.isEmpty || !becameReady.isEmpty {
            if !unsettled.isEmpty {
                let change = unsettled.removeFirst()
                settleStatusChange(change.unit, from: change.from, to: change.to)
            } else {
                releaseStarts(of: becameReady.removeFirst())
            }
        }
    }

    private mutating func settleStatusChange(_ unit: String, from: UnitStatus?, to: UnitStatus) {
        if to.isFailure {
            let cause = failureCause(of: unit)
            if to == .failed { releaseStarts(of: unit, failing: cause) }
            passFailure(from: unit, cause: cause)
        }
        for id in (waits.completionWatchers[unit] ?? []).sorted() {
            if to.isFailure {
                resolve(id, .failure(unitFailedError(unit)))
            } else if to == .completed, let done = waits.markCompleted(unit, in: id) {
                resolve(id, .success(.completed(units: done)))
            } else if from == .completed {
                waits.markIncomplete(unit, in: id)
            }
        }
    }

    /// Releases the parked starts of a unit that just became ready: the first is marked started in the same step,
    /// the others lose to it with `same status already set`.
    private mutating func releaseStarts(of unit: String) {
        guard isReady(unit), let ids = waits.startWaiters[unit], let first = ids.first else { return }
        let parked = waits.starts[first]!
        waits.unpark(start: first)
        record(.waitEnded(unit: unit, outcome: .started))
        setStatus(unit, .started, by: parked.token)
        let info = StartInfo(
            unit: unit, dependencies: parked.dependencies, unsatisfiedAtStart: parked.unsatisfied, waited: true)
        resolutions.append(WaitResolution(id: first, result: .success(.started(info))))
        for id in ids.dropFirst() {
            waits.unpark(start: id)
            record(.waitEnded(unit: unit, outcome: .refused))
            let message = "cannot start unit \(goQuoted(unit)): checking status for unit \(goQuoted(unit)): "
                + "same status already set"
            resolutions.append(WaitResolution(id: id, result: .failure(SyncError(.sameStatus, message))))
        }
    }

    /// Releases every parked start of `unit` with `dependency_failed`.
    mutating func releaseStarts(of unit: String, failing cause: FailureCause) {
        for id in waits.startWaiters[unit] ?? [] {
            waits.unpark(start: id)
            record(.waitEnded(unit: unit, outcome: .dependencyFailed))
            resolutions.append(WaitResolution(id: id, result: .failure(Self.dependencyFailedError(cause))))
        }
    }

    private mutating func resolve(_ id: WaitID, _ result: Result<WaitResolution.Success, SyncError>) {
        waits.unpark(completion: id)
        resolutions.append(WaitResolution(id: id, result: result))
    }
}
