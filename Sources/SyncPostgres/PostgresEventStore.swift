@preconcurrency import Glibc
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SyncCore
import SyncProtocol
import SyncServer
import Synchronization

/// The agent's ``EventStore`` in PostgreSQL (`sync-agent --store postgres://…`): one workspace's events and snapshot
/// in the tables of ``PostgresSchema``, which ``load()`` creates or migrates.
///
/// **Every agent naming the same store and workspace serves one graph** (a ``SharedEventStore``). A change is two
/// statements (``PostgresSchema``'s functions): ``beginChange(after:on:)`` takes the workspace's advisory lock
/// (``PostgresSchema/lockClass``, the workspace's id) and reads the events stored after the agent's last one; the
/// append that ends it, one statement and so one transaction, moves the workspace's `head` from the sequence number
/// before its first event to the last one, inserts the events with the numbers the graph gave them, `NOTIFY`s the
/// workspace's channel (``notificationChannel``; the payload, a ``PostgresNotice``, names this store and carries the
/// events when they fit), releases the lock and commits. When `head` is not where the agent
/// expects (a writer that did not take the lock) it inserts nothing and the append fails with the state read back.
/// An append is durable once PostgreSQL committed it. The connection `LISTEN`s on the channel: a notification from
/// another agent, or the connection closing, calls the agent's ``listen(_:)`` closure; the events a notification
/// carries go into the mirror and wait for the agent (``notifiedEvents(after:)``). A change that needs no read
/// (``appendIfCurrent(_:on:)``) is one statement, `append_if_head`.
///
/// **A lost connection.** The append (or compaction) fails as an outcome, carrying the state this store last knew to
/// be committed: the store keeps that state as a graph of its own (the mirror), updated by every durable append and
/// compaction, since the database cannot be read back then. The agent refuses changes and retries a compaction,
/// which reconnects (taking the lock again) and writes the agent's graph back. The compaction refuses to overwrite
/// a workspace that another writer moved on meanwhile (`head` neither the mirror's nor that of the append whose
/// commit went unanswered). Each operation that takes longer than `operationTimeout` closes its connection and fails.
///
/// Every call runs on the store's own event loop, one at a time: that loop owns the connection and the mirror.
package final class PostgresEventStore: EventStore, @unchecked Sendable {
    package let address: PostgresAddress
    package let workspace: String
    let password: String?
    let clock: UnitGraph.Clock
    let logger: Logger
    let operationTimeout: TimeAmount
    /// When a change writes the workspace's snapshot and how many events it keeps behind it.
    let retention: SharedRetention
    /// The server ends a session whose transaction stays idle this long (see `PostgresEventStore+Connect.swift`).
    let idleTransactionTimeout: TimeAmount
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let storeLoop: any EventLoop
    /// `sync-agent pid N on HOST`: the connection's `application_name` and each event's `origin`.
    package let origin: String

    // Touched only on `storeLoop`.
    var connection: PostgresConnection?
    var connectionCount = 0
    var workspaceID: Int32 = 0
    /// The graph as of the last event known to be committed.
    var mirror: UnitGraph
    var instance = ""
    var records = 0
    /// The sequence number of the workspace's snapshot (0: none).
    var snapshotSequence: UInt64 = 0
    /// The last event of a failed append whose commit may have happened all the same (its answer was lost).
    var unacknowledged: UInt64?
    private var inFlight: EventLoopFuture<Void>?
    /// ``close()`` was called (it runs once: the store's loop is gone after it).
    private let closing = Mutex(false)
    var closed = false
    /// A change is open: the connection is inside its transaction and holds the workspace's lock.
    var changeOpen = false
    /// The payload of this store's notifications, which its own listener ignores: ``origin`` and a random number
    /// (two stores in one process share an origin).
    let notificationPayload: String
    /// Which agent made each unit's last committed change (see ``origins(of:)``); read from any thread.
    let origins = Mutex(UnitOrigins())
    /// Called when another agent may have stored events (see ``listen(_:)``).
    private let wake = Mutex<(@Sendable () -> Void)?>(nil)
    /// The events other agents' notifications carried since the agent last took them (see
    /// ``notifiedEvents(after:)``), applied to the mirror already.
    var notified: [SyncEvent] = []
    /// Notifications so far that did not carry their events, or that may have been missed (a connection closed or
    /// opened again), and how many of them a read of the store has covered since: until it covered them all, the
    /// agent must read the store.
    var notifiedGaps = 0
    var gapsCovered = 0
    /// The first read of the store has been adopted as the mirror (``load()``).
    var loaded = false
    /// A notification came before that: the agent must read the store once.
    var receivedWhileLoading = false

    /// A store on `workspace` at `address`; nothing is opened before ``load()``.
    /// - Parameter password: sent when the server asks for one (``PostgresPassfile``).
    package init(
        address: PostgresAddress, workspace: String, password: String?, clock: @escaping UnitGraph.Clock,
        logger: Logger, operationTimeout: TimeAmount = .seconds(10), retention: SharedRetention = .standard,
        idleTransactionTimeout: TimeAmount = .seconds(5)
    ) {
        self.retention = retention
        self.address = address
        self.workspace = workspace
        self.password = password
        self.clock = clock
        self.logger = logger
        self.operationTimeout = operationTimeout
        self.idleTransactionTimeout = idleTransactionTimeout
        storeLoop = group.next()
        mirror = UnitGraph(clock: clock)
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // One line, whatever the host name holds: the origin heads each notification's payload, whose next lines
        // are events, so a line break in it would make the other agents read the rest as events (a host name
        // `evil\n0\n` made them take every notification of this agent for one they had already applied).
        let oneLine = String(host.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        origin = "sync-agent pid \(getpid()) on \(oneLine)"
        notificationPayload = origin + " #" + String(UInt64.random(in: 1...UInt64.max), radix: 16)
    }

    package var location: String { "\(address) workspace \(Self.quoted(workspace))" }

    // MARK: EventStore

    /// Connects, creates or migrates the tables, registers the workspace, reads it back and listens on its channel.
    package func load() throws(StoreFailure) -> StoredState {
        do {
            return try storeLoop.flatSubmit { self.open() }.wait()
        } catch let failure as StoreFailure {
            throw failure
        } catch {
            throw StoreFailure(description: "store \(location): \(Self.reason(error))")
        }
    }

    package func append(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<EventStoreAppend> {
        storeLoop.flatSubmit { self.track(self.performAppend(events)) }.hop(to: loop)
    }

    package func compact(
        instance: String, snapshot: GraphSnapshot, history: [EncodedEvent], on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        storeLoop.flatSubmit {
            self.track(self.performCompaction(instance: instance, snapshot: snapshot, history: history))
        }.hop(to: loop)
    }

    /// Waits for the operation in progress, then closes the connection.
    package func close() async {
        let first = closing.withLock { closing in
            defer { closing = true }
            return !closing
        }
        guard first else { return }
        let pending = try? await storeLoop.submit { () -> EventLoopFuture<Void>? in
            self.closed = true
            return self.inFlight
        }.get()
        if let pending { try? await pending.get() }
        try? await storeLoop.flatSubmit { () -> EventLoopFuture<Void> in
            guard let connection = self.connection else { return self.storeLoop.makeSucceededVoidFuture() }
            self.connection = nil
            return Self.close(connection)
        }.get()
        try? await group.shutdownGracefully()
    }

    // MARK: Notifications

    /// The channel of the workspace's notifications: `sync_agent_` and its id.
    var notificationChannel: String { "sync_agent_\(workspaceID)" }

    package func listen(_ wake: @escaping @Sendable () -> Void) {
        self.wake.withLock { $0 = wake }
    }

    /// Listens on `connection` (before anything else runs on it, so outside any transaction): another agent's
    /// notification wakes the agent, and so does the connection closing (the agent then finds the store gone and
    /// retries until it is back).
    func listen(on connection: PostgresConnection) {
        let own = notificationPayload
        // Notifications sent before this connection listened are lost (a connection opened again).
        if connectionCount > 1 { notifiedGaps += 1 }
        connection.addListener(channel: notificationChannel) { [weak self] _, notification in
            guard let self else { return }
            let notice = PostgresNotice(payload: notification.payload)
            guard notice.sender != own else { return }
            self.received(notice)
            self.wakeAgent()
        }
        connection.closeFuture.whenComplete { [weak self] _ in
            guard let self, !self.closed else { return }
            self.notifiedGaps += 1
            self.wakeAgent()
        }
    }

    func wakeAgent() {
        wake.withLock { $0 }?()
    }

    // MARK: Helpers

    /// Runs `statements` one after the other, returning nothing.
    func run(_ statements: [String], on connection: PostgresConnection) -> EventLoopFuture<Void> {
        var future = storeLoop.makeSucceededVoidFuture()
        for statement in statements {
            future = future.flatMap {
                connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger).map { _ in }
            }
        }
        return future
    }

    /// Ends a failed transaction, best effort: a connection that cannot even roll back is closed (the next
    /// operation opens another).
    func rollBack(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        guard !connection.isClosed else { return storeLoop.makeSucceededVoidFuture() }
        return connection.query("ROLLBACK", logger: logger).map { _ in }.flatMapError { _ in
            Self.close(connection)
        }
    }

    /// Closes `connection`, keeping it alive until it is closed (postgres-nio asserts that a connection is closed
    /// before it goes away). Never fails.
    static func close(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        connection.close().recover { _ in }.always { _ in withExtendedLifetime(connection) {} }
    }

    /// Keeps the operation's future for ``close()``.
    private func track<T>(_ future: EventLoopFuture<T>) -> EventLoopFuture<T> {
        inFlight = future.map { _ in }.recover { _ in }
        return future
    }

    /// What went wrong, in words: the server's message and SQLSTATE, or the connection's error.
    static func reason(_ error: any Error) -> String {
        if let failure = error as? StoreFailure { return failure.description }
        if let tls = tlsFailure(error) { return tls }
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                return message + (info[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    static func quoted(_ name: String) -> String { "\"\(name)\"" }
}
