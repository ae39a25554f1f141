import NIOCore
import NIOPosix
import Synchronization
import SyncCore

/// Runs the journal's blocking writes and syncs on a thread of their own, one at a time, so the event loop never
/// waits for the disk.
final class JournalWriter: @unchecked Sendable {
    // `journal` is touched only by `pool`'s single thread, one work item at a time; `pool` is thread-safe.
    private let journal: Journal
    private let pool: NIOThreadPool
    private let clock: UnitGraph.Clock
    private let watch = Mutex<JournalPathWatch?>(nil)

    /// How an append ended.
    enum AppendOutcome {
        /// The lines are on disk.
        case durable
        /// They are not. `durable` is the state the file holds (read back after cutting it to its last synced
        /// line), or why it could not be read.
        case failed(Journal.Failure, durable: Result<Journal.Contents, Journal.Failure>)
    }

    init(journal: Journal, clock: @escaping UnitGraph.Clock) {
        self.journal = journal
        self.clock = clock
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    var path: String { journal.path }

    /// Appends and syncs `lines`. On failure the file is cut back to its last synced line and read back, so the
    /// agent can return to exactly what is stored.
    func append(_ lines: [String], on loop: any EventLoop) -> EventLoopFuture<AppendOutcome> {
        nonisolated(unsafe) let journal = self.journal
        return pool.runIfActive(eventLoop: loop) { [clock] () -> AppendOutcome in
            do throws(Journal.Failure) {
                try journal.append(lines)
                return .durable
            } catch {
                do throws(Journal.Failure) {
                    return .failed(error, durable: .success(try journal.readDurable(clock: clock)))
                } catch let readError {
                    return .failed(error, durable: .failure(readError))
                }
            }
        }
    }

    /// Rewrites the journal as a snapshot plus recent history.
    func compact(
        instance: String, snapshot: GraphSnapshot, history: [String], on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        nonisolated(unsafe) let journal = self.journal
        return pool.runIfActive(eventLoop: loop) {
            try journal.compact(instance: instance, snapshot: snapshot, history: history)
        }
    }

    /// Puts the journal back, on the journal's thread, whenever its path may have stopped naming it (see
    /// ``JournalPathWatch``): a journal deleted while the agent is idle must not wait for the next change, since a
    /// crash meanwhile would lose everything it held. Costs nothing while nobody touches the directory.
    func watchPath(on loop: any EventLoop) {
        nonisolated(unsafe) let journal = self.journal
        let pool = self.pool
        let watcher = JournalPathWatch(path: journal.path) {
            // A failure here is met again, and handled, by the next write.
            _ = pool.runIfActive(eventLoop: loop) { try? journal.keepPath() }
        }
        watch.withLock { $0 = watcher }
    }

    /// Tests only: the next `count` appends fail with `code` after writing half their bytes.
    func injectFailures(_ code: Int32, count: Int = 1) async throws {
        nonisolated(unsafe) let journal = self.journal
        try await pool.runIfActive { journal.injectedFailures = (code, count) }
    }

    /// Waits for the work in progress, stops the thread, then closes the journal and releases its lock (another
    /// agent may open it from then on).
    func shutdown() async {
        if let watcher = watch.withLock({ $0.take() }) { await watcher.stop() }
        try? await pool.shutdownGracefully()
        journal.close()
    }
}
