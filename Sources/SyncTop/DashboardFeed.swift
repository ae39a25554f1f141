/// Supplies the dashboard with data until cancelled. The dashboard runs ``run(post:)`` in a task of its own and
/// cancels it when it quits.
///
/// A feed for a live agent posts `.connection(.connecting)`, then a `.snapshot` and `.connection(.live)` once
/// subscribed, then each `.event` as it arrives. When the connection drops it posts `.connection(.reconnecting…)`,
/// reconnects by itself, resumes from the last sequence it saw (the dashboard ignores events it already has) and
/// sends a new snapshot if events were missed. In `--once` mode the dashboard prints as soon as it has a snapshot
/// and the feed says `.live`, or when ``run(post:)`` returns.
public protocol DashboardFeed: Sendable {
    /// What the data comes from, e.g. the socket path; shown in the header.
    var label: String { get }
    /// Posts inputs until cancelled (or until there is nothing more to post). Calls `post` from any thread.
    func run(post: @escaping @Sendable (DashboardInput) -> Void) async
}
