/// A graph several agents share, read back whole: an agent that fell behind the store's retention (the events it
/// needed were deleted while it was cut off) takes the store's snapshot and the events after it instead of
/// catching up event by event, and keeps its own parked waits.
extension UnitGraph {
    /// Takes the state of `reloaded` (units, edges, statuses, numbering) and keeps this graph's parked waits, which
    /// then meet the new state as a catch-up would have made them meet it: a completion wait whose units all
    /// completed is resolved, one on a failed or skipped unit fails with `unit_failed` (both in
    /// ``drainResolutions()``, recording nothing); a parked start whose unit became ready, or that another agent
    /// started or failed, is noted for ``settleForeignStarts()``, which the agent runs in a change of its own. Waits
    /// that nothing released stay parked. Records no event.
    public mutating func adoptReloaded(_ reloaded: UnitGraph) {
        let kept = waits
        let unsettledResolutions = resolutions
        let starts = foreignStarts
        self = reloaded
        waits = kept
        resolutions = unsettledResolutions + resolutions
        foreignStarts = starts
        for (id, wait) in kept.completions.sorted(by: { $0.key < $1.key }) {
            if let culprit = wait.units.first(where: { status(of: $0)?.isFailure == true }) {
                waits.unpark(completion: id)
                resolutions.append(WaitResolution(id: id, result: .failure(unitFailedError(culprit))))
                continue
            }
            let remaining = wait.units.filter { status(of: $0) != .completed }
            if remaining.isEmpty {
                waits.unpark(completion: id)
                resolutions.append(WaitResolution(id: id, result: .success(.completed(units: wait.units))))
            } else {
                waits.completions[id]?.remaining = Set(remaining.map { UnitKey($0) })
            }
        }
        for unit in kept.startWaiters.keys {
            guard let record = units[unit] else { continue }
            if record.status.isFailure || record.status == .started || record.unmet == 0 {
                foreignStarts.insert(unit)
            }
        }
    }
}
