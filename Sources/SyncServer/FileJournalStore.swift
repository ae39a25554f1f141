import Logging
import NIOCore
import NIOPosix
import Synchronization
import SyncCore

/// The agent's ``EventStore``: the journal file (see ``Journal``). The journal's blocking writes and syncs run on a
/// thread of their own, one at a time, so the event loop never waits for the disk.
final class FileJournalStore: EventStore, @unchecked Sendable {
    // `journal` is set once by `load()`, before any other call, then touched only by `pool`'s single thread, one
    // work item at a time; `pool` is thread-safe.
    private nonisolated(unsafe) var journal: Journal?
    let path: String
    private let pool: NIOThreadPool
    private let clock: UnitGraph.Clock
    private let logger: Logger
    private let history: Int
    private let watch = Mutex<JournalPathWatch?>(nil)

    /// A store on the journal at `path`; nothing is opened before ``load()``.
    /// - Parameter history: how many of the newest events ``load()`` hands back (the agent's history keeps no
    ///   more); the graph is built from all of them.
    init(path: String, clock: @escaping UnitGraph.Clock, logger: Logger, history: Int = .max) {
        self.path = path
        self.history = history
        self.clock = clock
        self.logger = logger
        pool = NIOThreadPool(numberOfThreads: 1)
    }

    var location: String { path }

    /// Locks and reads the journal, drops a torn last line (and says so), and starts watching its path.
    func load() throws(StoreFailure) -> StoredState {
        let (journal, contents) = try Journal.open(path: path, clock: clock, logger: logger, keepsEvents: history)
        self.journal = journal
        pool.start()
        if let torn = contents.droppedTail {
            logger.warning(
                "dropped a torn last line of the journal (a write was cut short)",
                metadata: ["journal": "\(path)", "line": "\(torn)"])
        }
        logger.info(
            "journal loaded",
            metadata: [
                "journal": "\(path)", "units": "\(contents.graph?.unitCount ?? contents.snapshot.units.count)",
                "sequence": "\(contents.sequence)",
            ])
        watchPath()
        return contents.state
    }

    /// Appends and syncs `events`. On failure the file is cut back to its last synced line and read back, so the
    /// agent can return to exactly what is stored.
    func append(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<EventStoreAppend> {
        nonisolated(unsafe) let journal = self.journal!
        let lines = events.map(\.json)
        return pool.runIfActive(eventLoop: loop) { [clock] () -> EventStoreAppend in
            do throws(Journal.Failure) {
                try journal.append(lines)
                return .durable
            } catch {
                do throws(Journal.Failure) {
                    return .failed(error, stored: .success(try journal.readDurable(clock: clock).state))
                } catch let readError {
                    return .failed(error, stored: .failure(readError))
                }
            }
        }
    }

    /// Rewrites the journal as a snapshot plus recent history.
    func compact(
        instance: String, snapshot: GraphSnapshot, history: [EncodedEvent], on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        nonisolated(unsafe) let journal = self.journal!
        let lines = history.map(\.json)
        return pool.runIfActive(eventLoop: loop) {
            try journal.compact(instance: instance, snapshot: snapshot, history: lines)
        }
    }

    /// Puts the journal back, on the journal's thread, whenever its path may have stopped naming it (see
    /// ``JournalPathWatch``): a journal deleted while the agent is idle must not wait for the next change, since a
    /// crash meanwhile would lose everything it held. Costs nothing while nobody touches the directory.
    private func watchPath() {
        nonisolated(unsafe) let journal = self.journal!
        let pool = self.pool
        let watcher = JournalPathWatch(path: path) {
            // A failure here is met again, and handled, by the next write.
            pool.submit { state in
                guard case .active = state else { return }
                try? journal.keepPath()
            }
        }
        watch.withLock { $0 = watcher }
    }

    /// Tests only: the next `count` appends fail with `code` after writing half their bytes.
    func injectFailures(_ code: Int32, count: Int = 1) async throws {
        nonisolated(unsafe) let journal = self.journal!
        try await pool.runIfActive { journal.injectedFailures = (code, count) }
    }

    /// Waits for the work in progress, stops the thread, then closes the journal and releases its lock (another
    /// agent may open it from then on).
    func close() async {
        if let watcher = watch.withLock({ $0.take() }) { await watcher.stop() }
        try? await pool.shutdownGracefully()
        journal?.close()
    }
}

extension Journal.Contents {
    /// What the journal holds, as every store says it.
    var state: StoredState {
        if let graph, storedSnapshot == nil {
            return StoredState(instance: instance, graph: graph, events: events, recordsSinceCompaction: lines)
        }
        return StoredState(
            instance: instance, snapshot: snapshot, events: events, recordsSinceCompaction: lines, graph: graph)
    }
}
