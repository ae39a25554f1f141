import SyncCore

/// A unit's readiness in words, as `syncctl status` and `syncctl why` print it.
public enum ReadinessText {
    /// `waiting for tcp:127.0.0.1:5432 (attempt 12: connection refused)` while the unit is started,
    /// `ready after 1.4s (tcp:127.0.0.1:5432)` once it is completed, `not ready: waiting for … (attempt 40: …)`
    /// once it failed or was skipped; `nil` for a unit without a readiness report.
    public static func describe(_ info: UnitInfo) -> String? {
        guard let readiness = info.readiness else { return nil }
        let report = readiness.report
        let checks = report.checks.joined(separator: ", ")
        switch info.status {
        case .completed:
            let after = "ready after " + DurationText.between(readiness.startedAt, info.since)
            return checks.isEmpty ? after : after + " (\(checks))"
        case .started:
            return waiting(report)
        case .pending, .failed, .skipped:
            return "not ready: " + waiting(report)
        }
    }

    /// `waiting for A, B (attempt 12: connection refused)`, `every check passed`.
    private static func waiting(_ report: ReadinessReport) -> String {
        if report.checks.isEmpty { return "every check passed" }
        var text = "waiting for " + report.checks.joined(separator: ", ")
        if report.attempts > 0 {
            text += " (attempt \(report.attempts)" + (report.result.map { ": " + $0 } ?? "") + ")"
        } else if let result = report.result {
            text += " (\(result))"
        }
        return text
    }
}
