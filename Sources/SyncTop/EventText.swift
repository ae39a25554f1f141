import SyncCore

/// How events read in the log and in a unit's history.
public enum EventText {
    /// What happened, without the unit's name: `registered`, `needs git`, `pending → started`,
    /// `started → failed: "exit 128"`, `pending → skipped: git failed ("exit 128"), via git -> claude`,
    /// `waiting on git, deps`, `wait ended: started`, `note: "migrating 3/10"`, `note cleared`,
    /// `ready? tcp:5432, attempt 12: connection refused`, `ready? every check passed`.
    /// Who made a change, after what it was: `by pid 4242 on host-b` for the origin `sync-agent pid 4242 on
    /// host-b` (every origin names sync-agent), any other origin as it is after `by `.
    public static func by(_ origin: String) -> String {
        let prefix = "sync-agent "
        return "by " + (origin.hasPrefix(prefix) ? String(origin.dropFirst(prefix.count)) : origin)
    }

    public static func describe(_ kind: SyncEvent.Kind, theme: Theme) -> String {
        switch kind {
        case .registered:
            return "registered"
        case .dependencyAdded(_, let dependency, let required):
            return required == .completed ? "needs \(dependency)" : "needs \(dependency) to be \(required.rawValue)"
        case .statusChanged(_, let from, let to, let reason, let cause, _):
            var text = "\(from.display) \(theme.transition) \(to.rawValue)"
            if to == .failed, let reason, !reason.isEmpty { text += ": \(goQuoted(reason))" }
            if to == .skipped, let cause { text += ": \(cause.rootDescription), via \(cause.chainDescription)" }
            return text
        case .waitBegan(_, let unsatisfied):
            return "waiting on " + unsatisfied.joined(separator: ", ")
        case .waitEnded(_, let outcome):
            return "wait ended: " + outcome.rawValue.replacingUnderscores()
        case .noted(_, let note):
            return note.map { "note: " + goQuoted($0) } ?? "note cleared"
        case .readiness(_, let report):
            let checks = report.checks.isEmpty ? "every check passed" : report.checks.joined(separator: ", ")
            var text = "ready? " + checks
            if report.attempts > 0 { text += ", attempt \(report.attempts)" }
            if let result = report.result { text += ": " + result }
            return text
        }
    }

    /// The role an event's text is drawn in: the new status for a status change, dim for the rest.
    public static func role(_ kind: SyncEvent.Kind) -> Role {
        switch kind {
        case .statusChanged(_, _, let to, _, _, _): Role.status(to)
        case .waitBegan: .pending
        case .waitEnded(_, let outcome): outcome == .started ? .started : outcome == .dependencyFailed ? .skipped : .dim
        default: .dim
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
