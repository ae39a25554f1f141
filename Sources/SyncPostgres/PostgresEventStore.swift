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

    // MARK: Opening

    private func open() -> EventLoopFuture<StoredState> {
        self.connect().flatMapError { error in
            // The store's own failures (its TLS settings) and TLS refusals say what to check themselves.
            let explained = error is StoreFailure || Self.tlsFailure(error) != nil
            let hint = explained ? "" : ". Check that the server runs and that --store (or SYNC_AGENT_STORE) names it"
            return self.storeLoop.makeFailedFuture(
                StoreFailure(
                    description: "cannot connect to PostgreSQL at \(self.address) (workspace "
                        + "\(Self.quoted(self.workspace))): \(Self.reason(error))\(hint)"))
        }.flatMap { connection in
            self.migrate(connection)
                .flatMap { self.registerWorkspace(connection) }
                .flatMap { self.readState(connection) }
                .map { state in
                    self.connection = connection
                    self.listen(on: connection)
                    self.adopt(state)
                    self.logger.info(
                        "store loaded",
                        metadata: [
                            "store": "\(self.location)", "units": "\(state.snapshot.units.count)",
                            "sequence": "\(state.snapshot.sequence)",
                        ])
                    return state
                }
                .flatMapError { error in
                    Self.close(connection).flatMapThrowing { _ -> StoredState in throw error }
                }
        }
    }

    /// Creates or migrates the tables in one transaction (see ``PostgresSchema``).
    private func migrate(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        run(["BEGIN"] + PostgresSchema.prelude, on: connection)
            .flatMap {
                connection.query("SELECT coalesce(max(version), 0) FROM sync_agent.schema_version", logger: self.logger)
            }
            .flatMapThrowing { result -> [String] in
                let version = try result.rows.first?.decode(Int.self) ?? 0
                let latest = PostgresSchema.latestVersion
                guard version <= latest else {
                    throw StoreFailure(
                        description: "the tables of store \(self.address) are at version \(version), newer than this "
                            + "sync-agent knows (\(latest)): upgrade sync-agent")
                }
                guard version < latest else { return [] }
                self.logger.notice(
                    "store tables \(version == 0 ? "created" : "migrated")",
                    metadata: ["store": "\(self.address)", "from version": "\(version)", "to version": "\(latest)"])
                return PostgresSchema.migrations[version...].flatMap { $0 } + [
                    "DELETE FROM sync_agent.schema_version",
                    "INSERT INTO sync_agent.schema_version (version) VALUES (\(latest))",
                ]
            }
            .flatMap { self.run($0 + ["COMMIT"], on: connection) }
            .flatMapError { error in
                self.rollBack(connection).flatMapThrowing {
                    if error is StoreFailure { throw error }
                    throw StoreFailure(
                        description: "cannot create or migrate the tables of store \(self.address): "
                            + "\(Self.reason(error))")
                }
            }
    }

    private func registerWorkspace(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        let insert: PostgresQuery = """
            INSERT INTO sync_agent.workspaces (name, instance) VALUES (\(workspace), \(StoredState.newInstance()))
            ON CONFLICT (name) DO NOTHING
            """
        return connection.query(insert, logger: logger)
            .flatMap { _ in
                connection.query(
                    "SELECT id, instance FROM sync_agent.workspaces WHERE name = \(self.workspace)",
                    logger: self.logger)
            }
            .flatMapThrowing { result in
                guard let row = result.rows.first else {
                    throw StoreFailure(
                        description: "workspace \(Self.quoted(self.workspace)) vanished from \(self.address)")
                }
                (self.workspaceID, self.instance) = try row.decode((Int32, String).self)
            }
    }

    /// Reads the workspace's snapshot and events in one read-only transaction and checks them.
    func readState(_ connection: PostgresConnection) -> EventLoopFuture<StoredState> {
        let id = workspaceID
        return run(["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"], on: connection)
            .flatMap {
                connection.query(
                    "SELECT instance FROM sync_agent.workspaces WHERE id = \(id)", logger: self.logger)
            }
            .flatMapThrowing { result in
                if let instance = try result.rows.first?.decode(String.self) { self.instance = instance }
            }
            .flatMap {
                connection.query(
                    "SELECT seq, snapshot::text FROM sync_agent.snapshots WHERE workspace = \(id)", logger: self.logger)
            }
            .flatMapThrowing { result -> (UInt64, String)? in
                guard let row = try result.rows.first?.decode((Int64, String).self) else {
                    self.snapshotSequence = 0
                    return nil
                }
                self.snapshotSequence = UInt64(row.0)
                return (UInt64(row.0), row.1)
            }
            .flatMap { snapshot in
                connection.query(
                    "SELECT seq, event::text, origin FROM sync_agent.events WHERE workspace = \(id) ORDER BY seq",
                    logger: self.logger
                ).map { (snapshot, $0) }
            }
            .flatMap { read in self.run(["COMMIT"], on: connection).map { read } }
            .flatMapThrowing { snapshot, result in
                var origins: [(sequence: UInt64, origin: String)] = []
                let events = try result.rows.map { row in
                    let (sequence, json, origin) = try row.decode((Int64, String, String).self)
                    origins.append((UInt64(sequence), origin))
                    return (sequence: UInt64(sequence), json: json)
                }
                let state = try self.rebuild(snapshot: snapshot, events: events)
                self.recordOrigins(of: events, origins)
                return state
            }
            .flatMapError { error in
                self.rollBack(connection).flatMapThrowing { _ -> StoredState in
                    if error is StoreFailure { throw error }
                    throw StoreFailure(description: "cannot read store \(self.location): \(Self.reason(error))")
                }
            }
    }

    private func rebuild(snapshot: (UInt64, String)?, events: [(sequence: UInt64, json: String)]) throws
        -> StoredState
    {
        let corrupt = { (record: String, problem: String) in
            "store \(self.location) is corrupt at \(record): \(problem). Nothing was changed; delete the "
                + "workspace's rows, or choose another --workspace, to start with an empty graph"
        }
        var graphSnapshot: GraphSnapshot?
        if let snapshot {
            guard let parsed = try? JSON.parse(snapshot.1), let read = GraphSnapshot(json: parsed),
                read.sequence == snapshot.0
            else { throw StoreFailure(description: corrupt("the snapshot", "it cannot be read")) }
            graphSnapshot = read
        }
        return try StoredState.rebuild(
            instance: instance, snapshot: graphSnapshot, events: events, clock: clock, corrupt: corrupt)
    }

    /// Records the origins of events read back (their JSON was checked by ``rebuild(snapshot:events:)``).
    private func recordOrigins(
        of events: [(sequence: UInt64, json: String)], _ rows: [(sequence: UInt64, origin: String)]
    ) {
        var read = UnitOrigins()
        for (row, origin) in zip(events, rows) {
            guard let json = try? JSON.parse(row.json), let event = SyncEvent(json: json) else { continue }
            read.record(event, by: origin.origin)
        }
        origins.withLock { $0 = read }
    }

    func adopt(_ state: StoredState) {
        mirror = UnitGraph(snapshot: state.snapshot, clock: clock)
        instance = state.instance
        records = state.recordsSinceCompaction
    }

    /// What this store last knew to be committed: the state a failed append returns to when the database cannot be
    /// read back.
    var mirrorState: StoredState {
        StoredState(instance: instance, snapshot: mirror.snapshot, events: [], recordsSinceCompaction: records)
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
