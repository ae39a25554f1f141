import NIOCore
import PostgresNIO
import SyncCore
import SyncProtocol
import SyncServer

/// Appends and compactions, on the store's loop.
extension PostgresEventStore {
    /// The sequence number of the last event this store knows to be committed.
    var head: UInt64 { mirror.nextSequence - 1 }

    /// Moves `head` from the number before the first event to the last one and inserts the events, only if `head`
    /// was where this agent expects it. Inside the open change, ``PostgresSchema``'s `append` does that, `NOTIFY`s and
    /// releases the lock in one statement that commits with it; when a snapshot is due, that statement and the
    /// snapshot's run in one transaction. Without a change (a change that could not be opened never appends, so
    /// only a test does that) one statement moves `head` and inserts.
    func performAppend(_ events: [EncodedEvent]) -> EventLoopFuture<EventStoreAppend> {
        guard !closed else {
            return storeLoop.makeFailedFuture(StoreFailure(description: "store \(location) is closed"))
        }
        guard let first = events.first, let last = events.last else {
            return storeLoop.makeSucceededFuture(.durable)
        }
        let range =
            first.sequence == last.sequence ? "event \(first.sequence)" : "events \(first.sequence)…\(last.sequence)"
        let inChange = changeOpen
        changeOpen = false
        return withConnection { connection -> EventLoopFuture<(inserted: Int, snapshot: UInt64?)> in
            guard inChange else {
                return connection.query(self.plainAppend(events), logger: self.logger).map {
                    ($0.metadata.rows ?? 0, nil)
                }
            }
            return self.appendInChange(events, on: connection)
        }.flatMap { inserted, snapshot -> EventLoopFuture<EventStoreAppend> in
            guard inserted == events.count else { return self.conflict(range) }
            if let snapshot { self.snapshotSequence = snapshot }
            self.replayIntoMirror(events)
            self.records += events.count
            self.unacknowledged = nil
            return self.storeLoop.makeSucceededFuture(.durable)
        }.flatMapError { error in
            if let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505" {
                return self.conflict(range)
            }
            // The commit may have happened with its answer lost: a compaction may replace those events.
            self.unacknowledged = last.sequence
            let failure = StoreFailure(
                description: "cannot store \(range) in \(self.location): \(Self.reason(error))")
            return self.storeLoop.makeSucceededFuture(.failed(failure, stored: .success(self.mirrorState)))
        }
    }

    /// The open change's append: one statement, or (a snapshot due) one transaction with the snapshot's statements.
    /// A failure releases the lock. - Returns: the events inserted (fewer than `events`: `head` was not where this
    /// agent expected it, nothing was stored), and the snapshot written, if one was.
    private func appendInChange(_ events: [EncodedEvent], on connection: PostgresConnection)
        -> EventLoopFuture<(inserted: Int, snapshot: UInt64?)>
    {
        let first = events[0].sequence
        let query: PostgresQuery = """
            SELECT sync_agent.append(\(workspaceID), \(Int64(first) - 1), \(Int64(events[events.count - 1].sequence)),
                \(events.map { Int64($0.sequence) })::bigint[], \(events.map(\.json))::text[], \(origin),
                \(notificationChannel), \(PostgresNotice.payload(sender: notificationPayload, events: events)))
            """
        func append() -> EventLoopFuture<Int> {
            connection.query(query, logger: logger).flatMapThrowing { result in
                try result.rows.first.map { Int(try $0.decode(Int64.self)) } ?? 0
            }
        }
        guard snapshotDue(after: events) else {
            return append().map { ($0, nil) }.flatMapError { error in
                self.endChange(on: connection).flatMapThrowing { throw error }
            }
        }
        return run(["BEGIN"], on: connection).flatMap { append() }.flatMap { inserted in
            guard inserted == events.count else {
                // The rollback undoes the reset of `idle_session_timeout` (the lock is released all the same).
                return self.rollBack(connection).flatMap { self.endChange(on: connection) }.map { (inserted, nil) }
            }
            return self.snapshotIfDue(after: events, on: connection).flatMap { snapshot in
                self.run(["COMMIT"], on: connection).map { (inserted, snapshot) }
            }
        }.flatMapError { error in
            self.rollBack(connection).flatMap { self.endChange(on: connection) }.flatMapThrowing { throw error }
        }
    }

    /// The append without a change: one statement (one transaction) that moves `head` and inserts the events.
    private func plainAppend(_ events: [EncodedEvent]) -> PostgresQuery {
        let first = events[0].sequence
        let last = events[events.count - 1].sequence
        return """
            WITH moved AS (
                UPDATE sync_agent.workspaces SET head = \(Int64(last))
                WHERE id = \(workspaceID) AND head = \(Int64(first) - 1) RETURNING id
            )
            INSERT INTO sync_agent.events (workspace, seq, event, origin)
            SELECT moved.id, e.seq, e.event::json, \(origin)
            FROM moved, unnest(\(events.map { Int64($0.sequence) })::bigint[], \(events.map(\.json))::text[])
                AS e (seq, event)
            """
    }

    /// Another writer moved the workspace on: the append failed, and nothing of it was stored. The state it returns
    /// to is this store's own last committed one (the mirror), not what the database holds now: the agent treats
    /// everything up to the returned state's sequence number as its own and stored, so the database's state would
    /// acknowledge this agent's changes numbered like the other writer's events (an agent frozen in a change, whose
    /// session the server ended, then told its client a `want` was made that no agent stored). The recovery reads
    /// the other writer's events after the mirror's last one, as any catch-up does.
    private func conflict(_ range: String) -> EventLoopFuture<EventStoreAppend> {
        let failure = StoreFailure(
            description: "cannot store \(range) in \(location): another writer stored events after event \(head) "
                + "first")
        return storeLoop.makeSucceededFuture(.failed(failure, stored: .success(mirrorState)))
    }

    /// Replays this agent's committed events into the mirror, and records it as their units' origin.
    func replayIntoMirror(_ events: [EncodedEvent]) {
        var stored: [SyncEvent] = []
        for encoded in events where encoded.sequence == mirror.nextSequence {
            guard let json = try? JSON.parse(encoded.json), let event = SyncEvent(json: json) else { continue }
            mirror.replay(event)
            stored.append(event)
        }
        origins.withLock { origins in
            for event in stored { origins.record(event, by: origin) }
        }
    }

    /// One transaction: check that `head` is where this store left it, replace the workspace's events with
    /// `history`, write the snapshot, and move `head` to it.
    func performCompaction(
        instance newInstance: String, snapshot: GraphSnapshot, history: [EncodedEvent]
    ) -> EventLoopFuture<Void> {
        guard !closed else {
            return storeLoop.makeFailedFuture(StoreFailure(description: "store \(location) is closed"))
        }
        let id = workspaceID
        let allowed = [Int64(head)] + (unacknowledged.map { [Int64($0)] } ?? [])
        let sequences = history.map { Int64($0.sequence) }
        let texts = history.map(\.json)
        let snapshotText = snapshot.json.compact
        return withConnection { connection -> EventLoopFuture<Void> in
            self.run(["BEGIN"], on: connection)
                .flatMap {
                    connection.query(
                        """
                        UPDATE sync_agent.workspaces SET head = \(Int64(snapshot.sequence)), instance = \(newInstance)
                        WHERE id = \(id) AND head = ANY(\(allowed)::bigint[])
                        """, logger: self.logger)
                }
                .flatMapThrowing { result in
                    guard result.metadata.rows == 1 else {
                        throw StoreFailure(
                            description: "cannot compact \(self.location): another writer changed the workspace "
                                + "while this agent was disconnected; restart this agent to load what it holds")
                    }
                }
                .flatMap {
                    connection.query("DELETE FROM sync_agent.events WHERE workspace = \(id)", logger: self.logger)
                }
                .flatMap { _ in
                    connection.query(
                        """
                        INSERT INTO sync_agent.events (workspace, seq, event, origin)
                        SELECT \(id), e.seq, e.event::json, \(self.origin)
                        FROM unnest(\(sequences)::bigint[], \(texts)::text[]) AS e (seq, event)
                        """, logger: self.logger)
                }
                .flatMap { _ in
                    self.writeSnapshot(snapshotText, at: snapshot.sequence, on: connection)
                }
                .flatMap { self.run(["COMMIT"], on: connection) }
                .flatMapError { error in self.rollBack(connection).flatMapThrowing { throw error } }
        }.map {
            self.mirror = UnitGraph(snapshot: snapshot, clock: self.clock)
            self.instance = newInstance
            self.records = history.count + 1
            self.unacknowledged = nil
        }.flatMapErrorThrowing { error in
            if error is StoreFailure { throw error }
            throw StoreFailure(description: "cannot compact \(self.location): \(Self.reason(error))")
        }
    }

    /// Runs `body` on the connection, first connecting again (and listening again) when it was lost. An operation
    /// still running after `operationTimeout` closes the connection, which fails it.
    func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) -> EventLoopFuture<T>
    ) -> EventLoopFuture<T> {
        reconnectIfNeeded().flatMap { connection in
            let timeout = self.storeLoop.scheduleTask(in: self.operationTimeout) {
                self.logger.warning(
                    "store did not answer in time; closing its connection",
                    metadata: ["store": "\(self.location)", "timeout": "\(self.operationTimeout)"])
                _ = Self.close(connection)
            }
            return body(connection).always { _ in timeout.cancel() }
        }
    }

    private func reconnectIfNeeded() -> EventLoopFuture<PostgresConnection> {
        if let connection, !connection.isClosed { return storeLoop.makeSucceededFuture(connection) }
        connection = nil
        return self.connect().map { connection in
            self.logger.notice("store connected again", metadata: ["store": "\(self.location)"])
            self.connection = connection
            self.listen(on: connection)
            return connection
        }
    }
}
