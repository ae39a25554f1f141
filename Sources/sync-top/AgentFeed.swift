import SyncClient
import SyncCore
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
        let follower = StreamFollower(socketPath: socket, clientName: "sync-top")
        let lostSince = LostSince()
        do {
            try await follow(follower, post: post, lostSince: lostSince)
        } catch {
            post(.connection(.stale(since: SystemClock.now(), reason: error.message)))
        }
    }

    private func follow(
        _ follower: StreamFollower, post: @escaping @Sendable (DashboardInput) -> Void, lostSince: LostSince
    ) async throws(WireError) {
        try await follower.run(since: 0, retryFirstConnection: !once) { update in
            switch update {
            case .connected:
                lostSince.clear()
                post(.connection(.live))
            case .lost(let error, let attempt):
                let since = lostSince.mark(SystemClock.now())
                post(.connection(attempt > 3 ? .stale(since: since, reason: error.message)
                    : .reconnecting(since: since, attempt: attempt)))
            case .item(.snapshot(_, let snapshot)):
                post(.snapshot(snapshot))
            case .item(.event(let event)):
                post(.event(event))
            }
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
