import SyncReadiness

/// Hands what a service still waits for (`run --ready`, `ready --when`) to the agent, already throttled by
/// ``ProgressThrottle``: every report goes through here.
func reportProgress(_ progress: ReadinessProgress, unit: String) async {
    // sent to the agent with reportReadiness once the wire has it
}
