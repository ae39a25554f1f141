import NIOCore
import NIOPosix
import SyncCore

/// Runs the journal's blocking writes and syncs on a thread of their own, one at a time, so the event loop never
/// waits for the disk.
final class JournalWriter: @unchecked Sendable {
    // `journal` is touched only by `pool`'s single thread, one work item at a time; `pool` is thread-safe.
    private let journal: Journal
    private let pool: NIOThreadPool

    init(journal: Journal) {
        self.journal = journal
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    var path: String { journal.path }

    /// Appends and syncs `lines`; the future succeeds once they are durable.
    func append(_ lines: [String], on loop: any EventLoop) -> EventLoopFuture<Void> {
        pool.runIfActive(eventLoop: loop) { [journal] in try journal.append(lines) }
    }

    /// Rewrites the journal as a snapshot plus recent history.
    func compact(
        instance: String, snapshot: GraphSnapshot, history: [String], on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        pool.runIfActive(eventLoop: loop) { [journal] in
            try journal.compact(instance: instance, snapshot: snapshot, history: history)
        }
    }

    /// Waits for the work in progress, then stops the thread.
    func shutdown() async {
        try? await pool.shutdownGracefully()
    }
}
