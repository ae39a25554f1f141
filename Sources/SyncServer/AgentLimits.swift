/// How much one agent accepts. Hitting a limit refuses that one request (or connection) with `limit_exceeded`
/// and a message naming the limit, its value and the flag that raises it; everything else keeps working.
///
/// The defaults are generous: a real workspace has tens of units, and the benchmarks run 10,000 units, 50,000
/// edges, 10,000 parked waits and 10,000 connections well inside them. See docs/RELIABILITY.md.
public struct AgentLimits: Sendable, Equatable {
    /// Registered units (`--max-units`).
    public var units: Int
    /// Dependencies of one unit (`--max-edges-per-unit`).
    public var edgesPerUnit: Int
    /// Open client connections (`--max-connections`). The agent also keeps this below its file descriptor limit.
    public var connections: Int
    /// Requests waiting on one connection: parked `start`s and `wait`s, and subscriptions
    /// (`--max-requests-per-connection`).
    public var inFlightPerConnection: Int
    /// Parked `start`s and `wait`s over all connections (`--max-parked-waits`).
    public var parkedWaits: Int
    /// Open event-stream subscriptions over all connections (`--max-subscribers`).
    public var subscribers: Int

    /// Longest `token` of a `start` and `client` name of a `hello`, in UTF-8 bytes (fixed).
    public static let maxTokenBytes = 255
    /// Longest failure reason kept, in UTF-8 bytes (fixed; longer reasons are cut and end with `…`, never refused:
    /// a failure must be recorded however long its text).
    public static let maxReasonBytes = 1024

    public init(
        units: Int = 1_000_000, edgesPerUnit: Int = 10_000, connections: Int = 16_384,
        inFlightPerConnection: Int = 16_384, parkedWaits: Int = 100_000, subscribers: Int = 1_024
    ) {
        self.units = units
        self.edgesPerUnit = edgesPerUnit
        self.connections = connections
        self.inFlightPerConnection = inFlightPerConnection
        self.parkedWaits = parkedWaits
        self.subscribers = subscribers
    }

    /// The defaults.
    public static let standard = AgentLimits()
}
