import NIOCore
import PostgresNIO
import SyncCore
import SyncProtocol
import SyncServer

/// Opening the store: connecting, creating or migrating the tables, registering the workspace, and reading its
/// state back into the mirror.
extension PostgresEventStore {
    func open() -> EventLoopFuture<StoredState> {
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
                .flatMap {
                    // Listening before the read, on the same connection (its statements run in order): a change
                    // another agent commits after the read is notified, and one committed before is read. Listening
                    // after the read left a moment in which a change was neither, and the waiters it released here
                    // waited for the next one.
                    self.listen(on: connection)
                    return self.readState(connection)
                }
                .map { state in
                    self.connection = connection
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
    func migrate(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
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

    func registerWorkspace(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
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

    func rebuild(snapshot: (UInt64, String)?, events: [(sequence: UInt64, json: String)]) throws
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
    func recordOrigins(
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
        if !loaded {
            // Notifications that came during the first read went to no mirror (see ``received(_:)``): the agent
            // reads the store once to see whether they were in that read.
            loaded = true
            if receivedWhileLoading { notifiedGaps += 1 }
        }
        mirror = UnitGraph(snapshot: state.snapshot, clock: clock)
        instance = state.instance
        records = state.recordsSinceCompaction
    }

    /// What this store last knew to be committed: the state a failed append returns to when the database cannot be
    /// read back.
    var mirrorState: StoredState {
        StoredState(instance: instance, snapshot: mirror.snapshot, events: [], recordsSinceCompaction: records)
    }
}
