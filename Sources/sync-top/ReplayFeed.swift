import SyncOS
import SyncProtocol
import SyncCore
import SyncTop
import Synchronization

/// Plays a ``ReplayFile`` as if an agent sent it: the snapshot, then each event when its recorded time comes,
/// `speed` times faster than recorded. Its ``clock`` runs in recorded time, so waits and runs measure as they
/// did; after the last event it says the stream is stale ("replay finished").
struct ReplayFeed: DashboardFeed {
    let file: ReplayFile
    let label: String
    let speed: Double
    let clock: ReplayClock

    init(file: ReplayFile, name: String, speed: Double) {
        self.file = file
        label = "replay: \(name)"
        self.speed = speed
        clock = ReplayClock(origin: file.startTime, speed: speed)
    }

    func run(post: @escaping @Sendable (DashboardInput) -> Void) async {
        clock.start()
        post(.connection(.live))
        if let snapshot = file.snapshot { post(.snapshot(snapshot)) }
        for event in file.events {
            let wait = clock.microseconds(until: event.time)
            if wait > 0 { try? await Task.sleep(for: .microseconds(wait)) }
            if Task.isCancelled { return }
            clock.reached(event.time)
            post(.event(event))
        }
        post(.connection(.stale(since: file.endTime, reason: "replay finished")))
    }
}

/// Recorded time for a replay: `origin` when the replay starts, then advancing `speed` times as fast as the
/// monotonic clock, and never behind the last event posted. At infinite speed (`--once`) it stands at the last
/// event posted.
final class ReplayClock: Sendable {
    private let origin: Timestamp
    private let speed: Double
    private let startedAt = Mutex<Int64?>(nil)
    private let latest: Mutex<Timestamp>

    init(origin: Timestamp, speed: Double) {
        self.origin = origin
        self.speed = speed
        latest = Mutex(origin)
    }

    /// Notes that the replay reached the recorded time `time`.
    func reached(_ time: Timestamp) {
        latest.withLock { $0 = max($0, time) }
    }

    /// Starts the clock (once).
    func start() {
        startedAt.withLock { if $0 == nil { $0 = SystemClock.monotonic() } }
    }

    /// The recorded time now.
    func now() -> Timestamp {
        let latest = self.latest.withLock { $0 }
        guard speed.isFinite, let started = startedAt.withLock({ $0 }) else { return latest }
        let elapsed = Double(SystemClock.monotonic() - started) * speed
        return max(latest, Timestamp(microseconds: origin.rawValue + Int64(elapsed)))
    }

    /// Real microseconds until the recorded time `time`.
    func microseconds(until time: Timestamp) -> Int64 {
        guard speed.isFinite else { return 0 }
        return Int64(Double(now().microseconds(to: time)) / speed)
    }
}
