import SyncClient
import SyncProtocol
import SyncReadiness

/// Hands what a service still waits for (`run --ready`, `ready --when`) to the agent, already throttled by
/// ``ProgressThrottle``: every report goes through here. A report is a summary for people watching (status, watch,
/// sync-top), so one that cannot be delivered (the agent is restarting, or the unit was completed meanwhile and
/// refuses it with `not_started`) is dropped; the next one carries the latest state anyway.
func reportProgress(_ progress: ReadinessProgress, unit: String, global: GlobalOptions) async {
    _ = try? await global.withClient(prefix: nil) {
        try await $0.reportReadiness(
            unit, checks: progress.checks, attempts: progress.attempts, result: progress.result)
    }
}

/// The same over a kept connection (``AgentLine``); over a new one if that was lost.
func reportProgress(_ progress: ReadinessProgress, unit: String, over line: AgentLine, global: GlobalOptions) async {
    let sent = try? await line.send {
        try await $0.reportReadiness(
            unit, checks: progress.checks, attempts: progress.attempts, result: progress.result)
    }
    // Refused (the unit was completed or restarted meanwhile): the report no longer matters.
    guard sent == false else { return }
    await reportProgress(progress, unit: unit, global: global)
}
