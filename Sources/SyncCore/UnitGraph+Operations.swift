/// The operations behind the socket requests: coder's `SyncWant`, `SyncStart` and `SyncComplete` semantics (its
/// `agent/agentsocket` service) with our fixes — `start` parks instead of failing and is atomic, and `fail` exists.
extension UnitGraph {
    /// Longest failure reason kept, in UTF-8 bytes; longer reasons are cut with `…`.
    public static let maxReasonBytes = 1024
    /// Longest progress note kept, in UTF-8 bytes; longer notes are cut with `…`.
    public static let maxNoteBytes = 200

    /// `want`: registers `unit` if needed (never `dependency`) and makes it depend on `dependency` completing.
    ///
    /// As coder, `unit` stays registered even when adding the edge fails. A pending unit that now depends on a
    /// failed chain becomes `skipped` at once.
    /// - Throws: `invalid_name`, `cycle_detected`; messages start with `cannot add dependency: `.
    public mutating func want(_ unit: String, dependsOn dependency: String) throws(SyncError) {
        do {
            try validate(unit, "registering unit \(goQuoted(unit))")
            if units[UnitKey(unit)] == nil {
                record(.registered(unit: unit))
                settle()
            }
            try addDependency(unit, on: dependency)
        } catch {
            throw error.wrapped("cannot add dependency")
        }
    }

    /// `start`: registers `unit` if needed, then marks it `started` at once when it is ready, or parks the start as
    /// `wait` until it is. The readiness check and the status change are one step, so no `want` can slip between.
    ///
    /// A failed or skipped unit may be started again (a retry).
    /// - Parameter wait: the id to park under; `nil` refuses an unready unit with `not_ready` instead.
    /// - Throws: `invalid_name`; `same_status` when the unit is already started; `dependency_failed` when its
    ///   chain reaches a failed unit (the unit becomes `skipped`); `not_ready` when `wait` is `nil`.
    /// - Parameter token: identifies this start; a start with the same token of a unit it already started succeeds
    ///   again, so a client may retry after losing its connection without being told `same status`.
    public mutating func start(_ unit: String, wait: WaitID?, token: String? = nil) throws(SyncError) -> StartOutcome {
        try validate(unit, "cannot start unit \(goQuoted(unit))")
        let key = UnitKey(unit)
        if units[key] == nil {
            record(.registered(unit: unit))
            settle()
        }
        let dependencies = forward[key].map { $0.keys.map(\.name).sorted(by: bytewise) } ?? []
        if units[key]!.status == .started, let token, sameBytes(units[key]!.startedBy, token) {
            return .started(StartInfo(unit: unit, dependencies: dependencies, unsatisfiedAtStart: [], waited: false))
        }
        if units[key]!.status == .started {
            throw SyncError(
                .sameStatus,
                "cannot start unit \(goQuoted(unit)): checking status for unit \(goQuoted(unit)): "
                    + "same status already set"
            )
        }
        if let cause = rootFailure(of: key) {
            markSkipped(key, cause: cause)
            settle()
            throw Self.dependencyFailedError(cause)
        }
        let unsatisfied = unmetDependencies(of: unit).map(\.dependsOn)
        if unsatisfied.isEmpty {
            setStatus(unit, .started, by: token)
            settle()
            return .started(StartInfo(unit: unit, dependencies: dependencies, unsatisfiedAtStart: [], waited: false))
        }
        guard let wait else {
            throw SyncError(.notReady, "cannot start unit \(goQuoted(unit)): unit not ready")
        }
        waits.park(start: wait, unit: key, dependencies: dependencies, unsatisfied: unsatisfied, token: token)
        record(.waitBegan(unit: unit, unsatisfied: unsatisfied))
        return .parked(dependencies: dependencies, unsatisfied: unsatisfied)
    }

    /// `complete`: marks a registered unit `completed`, releasing every start that was waiting only for it.
    /// - Throws: `invalid_name`; `not_registered` (`unit "u" must be registered first: unit not found`);
    ///   `same_status`; messages start with `cannot complete unit "u": `.
    public mutating func complete(_ unit: String) throws(SyncError) {
        do {
            try updateStatus(unit, to: .completed)
        } catch {
            throw error.wrapped("cannot complete unit \(goQuoted(unit))")
        }
    }

    /// `fail`: marks `unit` `failed` with `reason`, registering it if needed so that a script that fails before it
    /// ever called `start` still reports it. Every pending unit whose chain reaches it becomes `skipped` and every
    /// wait on them is released with the cause.
    /// - Throws: `invalid_name`, `same_status`; messages start with `cannot fail unit "u": `.
    public mutating func fail(_ unit: String, reason: String?) throws(SyncError) {
        do {
            try validate(unit, "registering unit \(goQuoted(unit))")
            if units[UnitKey(unit)] == nil {
                record(.registered(unit: unit))
                settle()
            }
            try updateStatus(unit, to: .failed, reason: reason.map { Self.cleanReason($0) })
        } catch {
            throw error.wrapped("cannot fail unit \(goQuoted(unit))")
        }
    }

    /// `note`: sets the progress note of a registered unit ("migrating 3/10"), cut to one line of at most
    /// ``maxNoteBytes`` bytes as a failure reason is; an empty note clears it. The status does not change, and the
    /// note stays through status changes until the next `note`. Setting the note it already has records nothing.
    ///
    /// Unlike `fail`, it never registers the unit: a note on a name nobody declared is more likely a typo than a
    /// unit, and registering it would leave a pending unit that `wait --all` waits for forever.
    /// - Throws: `invalid_name`; `not_registered` (`unit "u" must be registered first: unit not found`); messages
    ///   start with `cannot note unit "u": `.
    public mutating func note(_ unit: String, _ text: String) throws(SyncError) {
        do throws(SyncError) {
            try validate(unit, "checking unit \(goQuoted(unit))")
            guard let current = units[UnitKey(unit)] else {
                throw SyncError(.notRegistered, "unit \(goQuoted(unit)) must be registered first: unit not found")
            }
            let note = text.isEmpty ? nil : Self.cleanReason(text, limit: Self.maxNoteBytes)
            if sameBytes(current.note, note) { return }
            record(.noted(unit: unit, note: note))
        } catch {
            throw error.wrapped("cannot note unit \(goQuoted(unit))")
        }
    }

    /// Parks a wait until every unit in `names` is `completed`. Units need not be registered yet.
    /// - Throws: `invalid_name`; `unit_failed` naming the culprit when one of them already failed or was skipped.
    public mutating func awaitCompletion(of names: [String], wait: WaitID) throws(SyncError) -> CompletionOutcome {
        let unique = names.uniqueByBytes().sorted(by: bytewise)
        for name in unique {
            try validate(name, "cannot wait for unit \(goQuoted(name))")
        }
        if let culprit = unique.first(where: { status(of: $0)?.isFailure == true }) {
            throw unitFailedError(culprit)
        }
        let remaining = unique.filter { status(of: $0) != .completed }
        if remaining.isEmpty { return .done(units: unique) }
        waits.park(completion: wait, units: unique, remaining: remaining)
        return .parked(remaining: remaining)
    }

    /// Ends a parked wait from outside (timeout, cancellation, client gone). Nothing happens to the unit's status.
    /// - Returns: whether the wait was still parked.
    @discardableResult
    public mutating func endWait(_ id: WaitID, outcome: WaitOutcome) -> Bool {
        if let unit = waits.unpark(start: id) {
            record(.waitEnded(unit: unit.name, outcome: outcome))
            return true
        }
        return waits.unpark(completion: id)
    }

    /// Records a status change of a registered unit that the caller has checked.
    mutating func setStatus(
        _ unit: String, _ status: UnitStatus, reason: String? = nil, cause: FailureCause? = nil, by token: String? = nil
    ) {
        let from = units[UnitKey(unit)]?.status
        record(.statusChanged(unit: unit, from: from, to: status, reason: reason, cause: cause?.compact, by: token))
    }

    /// One line, at most `limit` bytes (``maxReasonBytes`` by default): control characters become spaces.
    static func cleanReason(_ reason: String, limit maxReasonBytes: Int = maxReasonBytes) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in reason.unicodeScalars {
            scalars.append(UnitName.isControl(scalar) ? " " : scalar)
        }
        var text = String(scalars)
        if text.utf8.count > maxReasonBytes {
            while text.utf8.count > maxReasonBytes - 3 { text.removeLast() }
            text += "…"
        }
        return text
    }
}
