import SyncCore
import SyncOS
import SyncProtocol
import SyncTop

@preconcurrency import Glibc

/// Gathers the state `--once` prints: runs the feed until it ends (a replay) or, for a live feed, until it has
/// posted a snapshot and said it is live (or stale: the agent's shared store is unreachable).
struct OnceCollector {
    let source: SyncTopCommand.FeedSource
    /// How long a live feed may take to deliver its snapshot, in microseconds.
    var timeout: Int64 = 10_000_000

    func collect() throws -> DashboardModel {
        let mailbox = Mailbox()
        let feed = source.feed
        let task = Task.detached {
            await feed.run(post: mailbox.post)
            mailbox.finish()
        }
        defer { task.cancel() }
        var model = DashboardModel(source: feed.label, now: source.clock())
        var sawSnapshot = false
        let deadline = SystemClock.monotonic() + timeout
        while true {
            let (inputs, finished) = mailbox.drainNoting()
            for input in inputs {
                if case .snapshot = input { sawSnapshot = true }
                model.apply(input)
            }
            if finished || (!source.ends && sawSnapshot && model.connection.isCurrentOrStale) { break }
            let left = deadline - SystemClock.monotonic()
            guard source.ends || left > 0 else {
                throw TopError(
                    "no snapshot from \(feed.label) within \(DurationText.text(microseconds: timeout, .flag))")
            }
            var polled = [pollfd(fd: mailbox.wakeFD, events: Int16(POLLIN), revents: 0)]
            _ = poll(&polled, 1, source.ends ? -1 : Int32(left / 1000) + 1)
        }
        if !source.ends && !sawSnapshot, case .stale(_, let reason) = model.connection {
            throw TopError(reason)
        }
        model.tick(now: source.clock())
        return model
    }
}

extension ConnectionState {
    /// Live, or stale (what is shown will not change soon): `--once` may print.
    fileprivate var isCurrentOrStale: Bool {
        switch self {
        case .live, .stale: return true
        case .connecting, .reconnecting: return false
        }
    }
}
