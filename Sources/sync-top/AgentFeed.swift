import SyncClient
import SyncCore
import SyncOS
import SyncProtocol
import SyncTop

/// The live agent as a dashboard feed: subscribes, follows the stream across agent restarts and resumes from the
/// last sequence seen (see ``StreamFollower``).
struct AgentFeed: DashboardFeed {
    let socket: SocketPath
    /// For `--once`: do not wait for an agent that is not there; say so and end.
    var once = false
    /// Shown in the header: the socket path, unless told otherwise.
    var label: String

    init(socket: SocketPath, once: Bool = false, label: String? = nil) {
        self.socket = socket
        self.once = once
        self.label = label ?? socket.path
    }

    func run(post: @escaping @Sendable (DashboardInput) -> Void) async {
        post(.connection(.connecting))
        // Posting into the mailbox is all `post` does: it can run on the connection's reader thread.
        let follower = StreamFollower(socketPath: socket, clientName: "sync-top", handsOverOnReaderThread: true)
        let lostSince = LostSince()
        let storeMark = StoreMark()
        do {
            let start = try await startFromHistory(post: post, storeMark: storeMark)
            // An agent of protocol 3 pushes the store's state on the stream; an older one is asked.
            guard start.store != nil, !once, start.version < ProtocolVersion.storePushes else {
                try await follow(follower, from: start, post: post, lostSince: lostSince, storeMark: storeMark)
                return
            }
            let watch = Task { await watchStore(post: post) }
            defer { watch.cancel() }
            try await follow(follower, from: start, post: post, lostSince: lostSince, storeMark: storeMark)
        } catch {
            post(.connection(.stale(since: SystemClock.now(), reason: Self.explain(error))))
        }
    }

    /// The error as the header (and `--once`) shows it: when nothing answers, with how to start an agent.
    static func explain(_ error: WireError) -> String {
        guard error.code == .unreachable else { return error.message }
        return "\(error.message) (is the agent running? start it with sync-agent)"
    }

    /// Where the stream resumes: after the agent's history, or from its first event when there is no agent yet.
    private struct Start {
        var since: UInt64
        var instance: String?
        /// The agent's shared store (`hello`'s `store`), if it has one.
        var store: String? = nil
        /// The protocol version the agent spoke.
        var version: Int64 = ProtocolVersion.current
    }

    /// Posts the events the agent holds (for the log and the timeline), then a snapshot of the state they lead to,
    /// so the dashboard knows at once that it has caught up (`--once` prints from there). Without an agent, `--once`
    /// fails here; the live dashboard follows from the first event of the agent that comes up.
    private func startFromHistory(
        post: @escaping @Sendable (DashboardInput) -> Void, storeMark: StoreMark
    ) async throws(WireError) -> Start {
        let client: SyncClient
        do {
            client = try await SyncClient.connect(to: socket, client: "sync-top")
        } catch {
            if once { throw error }
            return Start(since: 0, instance: nil)
        }
        defer { client.close() }
        let snapshot: GraphSnapshot
        let events: [SyncEvent]
        do {
            (snapshot, events) = try await client.history()
        } catch {
            // Gone between connecting and answering: the live dashboard keeps following, as for a missing agent.
            // A history it cannot read is shown, not followed past.
            if once || error.code == .badReply { throw error }
            return Start(since: 0, instance: nil)
        }
        for event in events { post(.event(event)) }
        post(.snapshot(snapshot))
        if let stale = client.connection.lastStaleRead {
            storeMark.set(Self.state(stale))
            post(.connection(Self.state(stale)))
        }
        return Start(
            since: snapshot.sequence, instance: client.connection.hello?.instance,
            store: client.connection.hello?.store, version: client.connection.version)
    }

    /// The header's state while the agent's shared store cannot be reached: `stale since 14:02:11: the shared
    /// store postgres://… is unreachable; showing the agent's last copy`.
    static func state(_ stale: StaleRead) -> ConnectionState {
        .stale(
            since: stale.since, reason: "the shared store \(stale.store) is unreachable; showing the agent's last copy")
    }

    /// An agent on a shared store keeps serving while the store is unreachable, from its last copy. One of protocol
    /// 3 pushes the store's state on the stream (``StoreReachability``); an older one says so only in the replies
    /// to reads (``StaleRead``): for it, this asks every `interval` (`status` of one unit, which costs the agent the
    /// same whatever the graph) and shows the store's state in the header. Ends when cancelled.
    private func watchStore(
        post: @escaping @Sendable (DashboardInput) -> Void, interval: Duration = .seconds(2)
    ) async {
        var client: SyncClient?
        var wasStale = false
        while !Task.isCancelled {
            if client == nil { client = try? await SyncClient.connect(to: socket, client: "sync-top store watch") }
            if let connected = client {
                if (try? await connected.status("sync-top-store-watch")) != nil {
                    let stale = connected.connection.lastStaleRead
                    if let stale {
                        post(.connection(Self.state(stale)))
                    } else if wasStale {
                        post(.connection(.live))
                    }
                    wasStale = stale != nil
                } else {
                    connected.close()
                    client = nil
                }
            }
            try? await Task.sleep(for: interval)
        }
        client?.close()
    }

    private func follow(
        _ follower: StreamFollower, from start: Start, post: @escaping @Sendable (DashboardInput) -> Void,
        lostSince: LostSince, storeMark: StoreMark
    ) async throws(WireError) {
        try await follower.run(since: start.since, instance: start.instance, retryFirstConnection: !once) { update in
            switch update {
            case .connected:
                lostSince.clear()
                // The history's stale mark holds until the stream says otherwise; after a reconnect the agent
                // pushes the store's state again if it is still unreachable.
                post(.connection(storeMark.takeOnFirstConnection() ?? .live))
            case .item(.store(let reachability)):
                let state = reachability.staleRead.map(Self.state) ?? .live
                storeMark.set(reachability.reachable ? nil : state)
                post(.connection(state))
            case .lost(let error, let attempt):
                let since = lostSince.mark(SystemClock.now())
                post(
                    .connection(
                        attempt > 3
                            ? .stale(since: since, reason: Self.explain(error))
                            : .reconnecting(since: since, attempt: attempt)))
            case .item(.snapshot(_, let snapshot)):
                post(.snapshot(snapshot))
            case .item(.event(let event, let origin)):
                post(.event(event, origin: origin))
            }
        }
    }
}

/// The header's state for the agent's shared store while it is unreachable (from the history's stale mark, then the
/// stream's `store` pushes), so that subscribing does not show `live` over it.
private final class StoreMark: Sendable {
    private let state = Mutex<(mark: ConnectionState?, connected: Bool)>((nil, false))

    func set(_ mark: ConnectionState?) { state.withLock { $0.mark = mark } }

    /// The mark on the first connection; `nil` on later ones (it is cleared: the agent tells again).
    func takeOnFirstConnection() -> ConnectionState? {
        state.withLock { state in
            defer { state.connected = true }
            if state.connected { state.mark = nil }
            return state.mark
        }
    }
}

/// When the connection was first lost, until it is back.
private final class LostSince: Sendable {
    private let time = Mutex<Timestamp?>(nil)

    func mark(_ now: Timestamp) -> Timestamp {
        time.withLock { time in
            if time == nil { time = now }
            return time!
        }
    }

    func clear() { time.withLock { $0 = nil } }
}

import Synchronization
