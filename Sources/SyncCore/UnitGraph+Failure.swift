/// Failure reaches every waiter: the cause of a failure, the search for it, and the errors that name it.
///
/// A skipped unit stores its cause compactly (root, reason, and the dependency it came through); chains are built
/// only where they are shown: in the errors of the requests they answer, and by ``failureCause(of:)``.
extension UnitGraph {
    /// The cause of a failed or skipped unit with its whole chain, built by following the `via` links of the
    /// skipped units back to the root. Cost: the length of the chain.
    ///
    /// A link that no longer leads on (the unit behind it was retried or completed since) ends the chain at the root.
    public func failureCause(of unit: String) -> FailureCause {
        let key = UnitKey(unit)
        let record = units[key]
        guard record?.status == .skipped, let cause = record?.cause else {
            return FailureCause(root: unit, reason: record?.reason, chain: [unit])
        }
        return FailureCause(root: cause.root, reason: cause.reason, chain: chain(to: key, root: cause.root))
    }

    /// The names from `root` to `unit` along the stored links.
    private func chain(to unit: UnitKey, root: String) -> [String] {
        let rootKey = UnitKey(root)
        var path = [unit.name]
        var seen: Set<UnitKey> = [unit]
        var cursor = unit
        while cursor != rootKey {
            guard let record = units[cursor], record.status == .skipped, let cause = record.cause,
                sameBytes(cause.root, root), let via = cause.via.map({ UnitKey($0) }), seen.insert(via).inserted
            else { break }
            path.append(via.name)
            cursor = via
        }
        if cursor != rootKey { path.append(root) }
        return path.reversed()
    }

    /// The failure that stops `unit` from ever becoming ready: a failed unit reached through unsatisfied edges and
    /// skipped units only, or `nil`; with its whole chain. Dependencies are searched depth-first in name order.
    /// A skipped unit whose root was retried since does not block.
    /// - Parameter only: search through this one dependency of `unit` only (the edge just added), so adding an
    ///   edge costs the failure behind that edge, never the unit's other edges.
    /// - Parameter needsChain: build the whole chain; otherwise a skipped unit known to be doomed since the last
    ///   change that could break its chain ends the search at once and the cause may come without its chain.
    /// - Cost: the edges of `unit` searched (one with `only`) plus those of the skipped units behind them that are
    ///   not known to be doomed.
    mutating func rootFailure(
        of unit: UnitKey, through only: UnitKey? = nil, needsChain: Bool = true
    ) -> FailureCause? {
        guard (units[unit]?.unmet ?? 0) > 0 else { return nil }
        var visited: Set<UnitKey> = [unit]
        var frames: [(unit: UnitKey, edges: [(UnitKey, UnitStatus)], next: Int)] = []
        if let only {
            guard let required = forward[unit]?[only] else { return nil }
            frames.append((unit, [(only, required)], 0))
        } else {
            frames.append((unit, sortedEdges(of: unit), 0))
        }
        while var frame = frames.popLast() {
            guard frame.next < frame.edges.count else { continue }
            let (dependency, required) = frame.edges[frame.next]
            frame.next += 1
            frames.append(frame)
            edgeVisits += 1
            guard visited.insert(dependency).inserted, let status = units[dependency]?.status, status != required
            else { continue }
            if status == .failed {
                // The skipped units on the path are doomed as of now: the next edge onto one of them needs no search.
                for frame in frames.dropFirst() where sameBytes(units[frame.unit]?.cause?.root, dependency.name) {
                    units[frame.unit]?.doomedAt = failureEpoch
                }
                let chain = [dependency.name] + frames.reversed().map(\.unit.name)
                return FailureCause(root: dependency.name, reason: units[dependency]?.reason, chain: chain)
            }
            if status == .skipped, let record = units[dependency], record.doomedAt == failureEpoch,
                let cause = record.cause
            {
                let path = frames.reversed().map(\.unit.name)
                // The root is still failed (that ended no epoch); its reason is that of its latest failure.
                let reason = units[UnitKey(cause.root)]?.reason
                if needsChain {
                    let chain = failureCause(of: dependency.name).chain + path
                    return FailureCause(root: cause.root, reason: reason, chain: chain)
                }
                let via = path.count >= 2 ? path[path.count - 2] : dependency.name
                return FailureCause(root: cause.root, reason: reason, via: via)
            }
            if status == .skipped, (units[dependency]?.unmet ?? 0) > 0 {
                frames.append((dependency, sortedEdges(of: dependency), 0))
            }
        }
        return nil
    }

    /// The unit's dependencies with their required status, in name order.
    private func sortedEdges(of unit: UnitKey) -> [(UnitKey, UnitStatus)] {
        (forward[unit] ?? [:]).map { ($0.key, $0.value) }.sorted { bytewise($0.0.name, $1.0.name) }
    }

    /// Marks `unit` skipped with `cause` (whose chain is known) unless it already is, and releases its parked
    /// starts with the cause.
    mutating func markSkipped(_ unit: UnitKey, cause: FailureCause) {
        if units[unit]?.status != .skipped {
            setStatus(unit.name, .skipped, cause: cause)
        } else {
            if units[UnitKey(cause.root)]?.status == .failed { units[unit]?.doomedAt = failureEpoch }
            // No status change will be settled, so pass the failure on now.
            let chain = cause.chain.isEmpty ? nil : cause.chain
            passFailure(from: unit, root: cause.root, reason: cause.reason, chain: chain)
        }
        guard waits.startWaiters[unit] != nil else { return }
        releaseStarts(of: unit, failing: cause.chain.isEmpty ? failureCause(of: unit.name) : cause)
    }

    /// Passes the failure of `unit` (failed or skipped, by `root` with `reason`) on through unsatisfied edges: a
    /// pending or waiting dependent is skipped (its link: `unit`) and its starts released (it passes the failure on
    /// when that change is settled). A dependent that is already skipped passes it on at once: after a retry of the
    /// root, units behind it may be waiting again. Visits each unit once; cost: the units downstream that are
    /// pending, waiting or skipped, plus the chain of each start released.
    /// - Parameter chain: the chain to `unit` when the caller knows it; otherwise built from the links if needed.
    mutating func passFailure(from unit: UnitKey, root: String, reason: String?, chain: [String]? = nil) {
        var visited: Set<UnitKey> = [unit]
        var stack = [unit]
        // Where the failure came from, for the chains of released starts: the stored links of units that were
        // already skipped may be older than this failure.
        var cameFrom: [UnitKey: UnitKey] = [:]
        var originChain = chain
        let rootFailed = units[UnitKey(root)]?.status == .failed
        while let source = stack.popLast() {
            let status = units[source]?.status
            let dependents = (reverse[source] ?? [:]).sorted { bytewise($0.key.name, $1.key.name) }
            for (dependent, required) in dependents where required != status {
                edgeVisits += 1
                guard visited.insert(dependent).inserted else { continue }
                cameFrom[dependent] = source
                let wasSkipped = units[dependent]?.status == .skipped
                if !wasSkipped {
                    guard units[dependent]?.status == .pending || waits.startWaiters[dependent] != nil else { continue }
                    let cause = FailureCause(root: root, reason: reason, via: source.name)
                    setStatus(dependent.name, .skipped, cause: cause)
                } else {
                    if rootFailed, sameBytes(units[dependent]?.cause?.root, root) {
                        units[dependent]?.doomedAt = failureEpoch
                    }
                    stack.append(dependent)
                }
                guard waits.startWaiters[dependent] != nil else { continue }
                if originChain == nil { originChain = failureCause(of: unit.name).chain }
                var path: [String] = []
                var cursor = dependent
                while cursor != unit, let previous = cameFrom[cursor] {
                    path.append(cursor.name)
                    cursor = previous
                }
                let full = FailureCause(root: root, reason: reason, chain: originChain! + path.reversed())
                releaseStarts(of: dependent, failing: full)
            }
        }
    }

    /// After the new edge `unit -> dependency`: a pending, skipped or waiting unit whose chain now reaches a
    /// failure through it is skipped at once. Its other edges need no look: they reached no failure before.
    mutating func skipIfDoomed(_ unit: UnitKey, through dependency: UnitKey) {
        guard [.pending, .skipped].contains(units[unit]?.status) || waits.startWaiters[unit] != nil,
            let cause = rootFailure(
                of: unit, through: dependency, needsChain: waits.startWaiters[unit] != nil)
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
        if status(of: unit) == .skipped {
            return SyncError(
                .unitFailed, "\(unit) was skipped: \(cause.rootDescription), via \(cause.chainDescription)",
                cause: cause)
        }
        return SyncError(.unitFailed, cause.rootDescription, cause: cause)
    }
}
