/// Failure reaches every waiter: the cause of a failure, the search for it, and the errors that name it.
extension UnitGraph {
    /// The recorded cause of a failed or skipped unit.
    func failureCause(of unit: String) -> FailureCause {
        let record = units[unit]
        if record?.status == .skipped, let cause = record?.cause { return cause }
        return FailureCause(root: unit, reason: record?.reason, chain: [unit])
    }

    /// The failure that stops `unit` from ever becoming ready: a failed unit reached through unsatisfied edges and
    /// skipped units only, or `nil`. Cost: the unit's direct dependencies plus the skipped units behind them.
    /// A skipped unit whose root was retried since does not block.
    func rootFailure(of unit: String) -> FailureCause? {
        var visited: Set<String> = [unit]
        return rootFailure(of: unit, visited: &visited)
    }

    private func rootFailure(of unit: String, visited: inout Set<String>) -> FailureCause? {
        guard let edges = forward[unit], (units[unit]?.unmet ?? 0) > 0 else { return nil }
        for dependency in edges.keys.sorted(by: bytewise) where visited.insert(dependency).inserted {
            guard let status = units[dependency]?.status, status != edges[dependency] else { continue }
            if status == .failed {
                return FailureCause(root: dependency, reason: units[dependency]?.reason, chain: [dependency, unit])
            }
            if status == .skipped, let upstream = rootFailure(of: dependency, visited: &visited) {
                return upstream.extended(to: unit)
            }
        }
        return nil
    }

    /// Marks `unit` skipped with `cause` (unless it already is) and releases its parked starts with the cause.
    mutating func markSkipped(_ unit: String, cause: FailureCause) {
        if units[unit]?.status != .skipped {
            setStatus(unit, .skipped, cause: cause)
        } else {
            // No status change will be settled, so pass the failure on now.
            passFailure(from: unit, cause: cause)
        }
        releaseStarts(of: unit, failing: cause)
    }

    /// Passes the failure of `unit` (failed or skipped, with `cause`) on through unsatisfied edges: a pending or
    /// waiting dependent is skipped and its starts released (it passes the failure on when that change is settled).
    /// A dependent that is already skipped passes it on at once: after a retry of the root, units behind it may be
    /// waiting again. Visits each unit once; cost: the units downstream that are pending, waiting or skipped.
    mutating func passFailure(from unit: String, cause: FailureCause) {
        var visited: Set<String> = [unit]
        var stack = [(unit, cause)]
        while let (source, cause) = stack.popLast() {
            let status = units[source]?.status
            let dependents = reverse[source] ?? [:]
            for dependent in dependents.keys.sorted(by: bytewise)
            where dependents[dependent] != status && visited.insert(dependent).inserted {
                let extended = cause.extended(to: dependent)
                if units[dependent]?.status == .skipped {
                    releaseStarts(of: dependent, failing: extended)
                    stack.append((dependent, extended))
                } else if units[dependent]?.status == .pending || waits.startWaiters[dependent] != nil {
                    setStatus(dependent, .skipped, cause: extended)
                    releaseStarts(of: dependent, failing: extended)
                }
            }
        }
    }

    /// After a new edge: a pending, skipped or waiting unit whose chain now reaches a failure is skipped at once.
    mutating func skipIfDoomed(_ unit: String) {
        guard [.pending, .skipped].contains(units[unit]?.status) || waits.startWaiters[unit] != nil,
            let cause = rootFailure(of: unit)
        else { return }
        markSkipped(unit, cause: cause)
    }

    /// `claude cannot start: git failed ("exit 128: auth required"), via git -> repo-setup -> claude`.
    static func dependencyFailedError(_ cause: FailureCause) -> SyncError {
        let unit = cause.chain.last ?? cause.root
        var message = "\(unit) cannot start: \(cause.rootDescription)"
        if cause.chain.count > 1 { message += ", via \(cause.chainDescription)" }
        return SyncError(.dependencyFailed, message, cause: cause)
    }

    /// `git failed ("exit 128")`, or `claude was skipped: git failed ("exit 128"), via git -> claude`.
    func unitFailedError(_ unit: String) -> SyncError {
        let cause = failureCause(of: unit)
        if units[unit]?.status == .skipped {
            return SyncError(
                .unitFailed, "\(unit) was skipped: \(cause.rootDescription), via \(cause.chainDescription)",
                cause: cause)
        }
        return SyncError(.unitFailed, cause.rootDescription, cause: cause)
    }
}
