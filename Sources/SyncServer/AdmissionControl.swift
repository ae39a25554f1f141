import SyncCore
import SyncProtocol

/// Who may talk to the agent and how much anyone may ask of it: the ``AgentLimits``, the connections admitted
/// under them, the refusals counted so far, and the refusal each limit gives.
///
/// Owned by ``AgentCore`` and used on its event loop only. The checks are plain functions of the counts the agent
/// passes in (units, parked waits, requests in flight…), so each limit is testable without a socket; the agent
/// decides which checks a request needs (`AgentCore+Limits.swift`) and logs.
struct AdmissionControl {
    let limits: AgentLimits
    /// The peers allowed to talk to the agent, by uid.
    let allowedPeerUIDs: Set<UInt32>
    /// Connections served now (not refused); ``AgentLimits/connections`` counts these.
    private(set) var admitted = 0
    /// Connections of other users refused so far, by uid.
    private(set) var strangerRefusals: [UInt32: Int] = [:]
    /// Connections refused at the connection limit so far.
    private(set) var overLimitRefusals = 0

    /// What became of a new connection.
    enum Decision: Equatable {
        case admitted
        /// Another user's: refused, for the `times`th time for that uid.
        case stranger(uid: UInt32, times: Int)
        /// The kernel could not tell who connected: refused.
        case unknownPeer
        /// Past the connection limit: refused, for the `times`th time.
        case overLimit(times: Int)
    }

    init(limits: AgentLimits, allowedPeerUIDs: Set<UInt32>) {
        self.limits = limits
        self.allowedPeerUIDs = allowedPeerUIDs
    }

    /// Decides whether a new connection of `peer` is served, and counts it. An admitted connection must be
    /// handed back with ``closed()`` when it ends.
    mutating func admit(_ peer: PeerCredentials?) -> Decision {
        guard let peer else { return .unknownPeer }
        guard allowedPeerUIDs.contains(peer.uid) else {
            strangerRefusals[peer.uid, default: 0] += 1
            return .stranger(uid: peer.uid, times: strangerRefusals[peer.uid]!)
        }
        guard admitted < limits.connections else {
            overLimitRefusals += 1
            return .overLimit(times: overLimitRefusals)
        }
        admitted += 1
        return .admitted
    }

    /// An admitted connection ended.
    mutating func closed() {
        admitted -= 1
    }

    /// What a refused connection is told.
    func refusal(_ decision: Decision) -> WireError? {
        switch decision {
        case .admitted:
            return nil
        case .stranger(let uid, _):
            let allowed = allowedPeerUIDs.sorted().map(String.init).joined(separator: " and ")
            return WireError(
                .permissionDenied,
                "permission denied: this agent serves uid \(allowed) only, and you are uid \(uid); "
                    + "run syncctl as the agent's user, or start an agent of your own")
        case .unknownPeer:
            return WireError(.permissionDenied, "permission denied: the agent could not tell which user connected")
        case .overLimit:
            return WireError(
                .limitExceeded,
                "too many connections: the agent serves at most \(limits.connections) at once "
                    + "(raise it with sync-agent --max-connections)")
        }
    }

    /// Whether the `count`th repeat of a refusal is logged: the first, then the 10th, 100th…, so a flood of them
    /// cannot flood the log while the log still shows it is going on.
    static func isWorthLogging(_ count: Int) -> Bool {
        var power = 1
        while power < count { power *= 10 }
        return power == count
    }

    // MARK: Requests

    /// A new unit `unit` when the graph already holds `units` of them (`registered`: it is not new).
    func unitRefusal(_ unit: String, registered: Bool, units: Int) -> WireError? {
        guard !registered, units >= limits.units else { return nil }
        return limit(
            "too many units: the agent holds at most \(limits.units), and \(goQuoted(unit)) would be one more",
            flag: "--max-units")
    }

    /// `added` new dependencies for `unit`, which has `existing`.
    func edgeRefusal(_ unit: String, existing: Int, added: Int) -> WireError? {
        guard existing + added > limits.edgesPerUnit else { return nil }
        return limit(
            "too many dependencies: a unit may have at most \(limits.edgesPerUnit), and \(goQuoted(unit)) has "
                + "\(existing) and would get \(added) more",
            flag: "--max-edges-per-unit")
    }

    /// One more parked request, on a connection with `inFlight` requests, when `parked` are parked in all.
    func parkRefusal(inFlight: Int, parked: Int) -> WireError? {
        inFlightRefusal(inFlight)
            ?? countRefusal(
                parked, limits.parkedWaits,
                "too many waiting requests: the agent parks at most \(limits.parkedWaits) starts and waits at once",
                flag: "--max-parked-waits")
    }

    /// One more subscription, on a connection with `inFlight` requests, when `subscribers` are open in all.
    func subscriberRefusal(inFlight: Int, subscribers: Int) -> WireError? {
        inFlightRefusal(inFlight)
            ?? countRefusal(
                subscribers, limits.subscribers,
                "too many subscribers: the agent streams events to at most \(limits.subscribers) at once",
                flag: "--max-subscribers")
    }

    private func inFlightRefusal(_ inFlight: Int) -> WireError? {
        countRefusal(
            inFlight, limits.inFlightPerConnection,
            "too many requests in flight on this connection: at most \(limits.inFlightPerConnection) waiting "
                + "starts, waits and subscriptions; use another connection or finish some first",
            flag: "--max-requests-per-connection")
    }

    /// `text` as a refusal when `count` has reached `maximum`.
    private func countRefusal(_ count: Int, _ maximum: Int, _ text: @autoclosure () -> String, flag: String)
        -> WireError?
    {
        count < maximum ? nil : limit(text(), flag: flag)
    }

    /// A field longer than `limit` bytes.
    func tooLong(_ what: String, _ value: String, limit: Int) -> WireError? {
        guard value.utf8.count > limit else { return nil }
        return WireError(.limitExceeded, "\(what) is \(value.utf8.count) bytes long; at most \(limit) are allowed")
    }

    /// A `limit_exceeded` refusal naming the flag that raises the limit.
    private func limit(_ message: String, flag: String) -> WireError {
        WireError(.limitExceeded, "\(message) (raise it with sync-agent \(flag))")
    }
}
