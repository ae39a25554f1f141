import SyncCore

/// What a feed tells the dashboard. Posted from any thread; the dashboard applies inputs in the order posted.
public enum DashboardInput: Sendable, Equatable {
    /// The whole graph at one sequence number. It replaces the dashboard's mirror: the feed sends one when it
    /// (re)connects and whenever it missed events.
    case snapshot(GraphSnapshot)
    /// One change. Events with a sequence at or below the last one seen are ignored, so a feed may resume from an
    /// overlapping point; after a gap the feed sends a snapshot. `origin` is the agent that made it
    /// (`sync-agent pid 4242 on host-b`), when the agent is on a shared store.
    case event(SyncEvent, origin: String? = nil)
    /// The state of the connection to the agent, shown in the header.
    case connection(ConnectionState)
}

/// The health of the dashboard's stream from the agent.
public enum ConnectionState: Sendable, Equatable {
    /// Connecting for the first time.
    case connecting
    /// Subscribed and caught up: what is shown is current.
    case live
    /// The connection was lost at `since`; reconnecting, `attempt` tries so far.
    case reconnecting(since: Timestamp, attempt: Int)
    /// No new data since `since`, for `reason` (e.g. `agent not running`, `replay finished`).
    case stale(since: Timestamp, reason: String)
}
