extension UnitGraph {
    /// Most checks a readiness report keeps; the rest are summed up in a last entry (`… 3 more`).
    public static let maxReadinessChecks = 16

    /// `readiness`: records what the started `unit`'s service still waits for. Each check and the result are made
    /// one line of at most ``maxNoteBytes`` bytes as a note is, and at most ``maxReadinessChecks`` checks are kept.
    /// The report stays with the unit through its completion or failure, until the unit is started again. A report
    /// equal to the unit's latest records nothing.
    ///
    /// Only a started unit takes a report: readiness is about a service that runs, so a report on a pending unit
    /// (its service cannot have been launched by `run` yet) or on a finished one (a report that lost a race with the
    /// `complete`) would show a wait that is not happening. Like `note`, it never registers a unit.
    /// - Throws: `invalid_name`; `not_registered`; `not_started` (`unit "db" is pending, not started: …`);
    ///   messages start with `cannot report readiness of unit "db": `.
    public mutating func reportReadiness(_ unit: String, _ report: ReadinessReport) throws(SyncError) {
        do throws(SyncError) {
            try validate(unit, "checking unit \(goQuoted(unit))")
            guard let current = units[UnitKey(unit)] else {
                throw SyncError(.notRegistered, "unit \(goQuoted(unit)) must be registered first: unit not found")
            }
            guard current.status == .started else {
                throw SyncError(
                    .notStarted,
                    "unit \(goQuoted(unit)) is \(current.status.rawValue), not started: a readiness report "
                        + "describes a service being started, so start the unit first (syncctl run and "
                        + "syncctl ready do)")
            }
            let cleaned = Self.cleanReport(report)
            if current.readiness?.report == cleaned { return }
            record(.readiness(unit: unit, cleaned))
        } catch {
            throw error.wrapped("cannot report readiness of unit \(goQuoted(unit))")
        }
    }

    /// The report as kept: one-line texts cut to ``maxNoteBytes``, at most ``maxReadinessChecks`` checks, attempts
    /// not negative.
    static func cleanReport(_ report: ReadinessReport) -> ReadinessReport {
        var checks = report.checks.prefix(maxReadinessChecks).map { cleanReason($0, limit: maxNoteBytes) }
        if report.checks.count > maxReadinessChecks {
            checks[maxReadinessChecks - 1] = "… \(report.checks.count - maxReadinessChecks + 1) more"
        }
        return ReadinessReport(
            checks: checks, attempts: max(0, report.attempts),
            result: report.result.map { cleanReason($0, limit: maxNoteBytes) })
    }
}
