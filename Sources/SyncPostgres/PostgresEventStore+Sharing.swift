import NIOCore
import PostgresNIO
import SyncCore
import SyncProtocol
import SyncServer

/// Changes under the workspace's lock and catch-ups, on the store's loop (see ``SharedEventStore``).
extension PostgresEventStore: SharedEventStore {
    package var storeAddress: String { "\(address)" }

    /// The store's own loop, which owns its connection: the agent runs on it too.
    package var eventLoop: (any EventLoop)? { storeLoop }

    package func beginChange(after sequence: UInt64, on loop: any EventLoop) -> EventLoopFuture<[SyncEvent]> {
        storeLoop.flatSubmit { self.performBeginChange(after: sequence) }.hop(to: loop)
    }

    package func endChange(on loop: any EventLoop) -> EventLoopFuture<Void> {
        storeLoop.flatSubmit { () -> EventLoopFuture<Void> in
            guard self.changeOpen, let connection = self.connection else {
                return self.storeLoop.makeSucceededVoidFuture()
            }
            self.changeOpen = false
            return self.endChange(on: connection)
        }.hop(to: loop)
    }

    package func catchUp(after sequence: UInt64, on loop: any EventLoop) -> EventLoopFuture<[SyncEvent]> {
        storeLoop.flatSubmit { () -> EventLoopFuture<[SyncEvent]> in
            if let failure: EventLoopFuture<[SyncEvent]> = self.closedFailure() { return failure }
            return self.withConnection { self.readEvents(after: sequence, on: $0) }.map { self.mirrorEvents($0) }
                .flatMapErrorThrowing { throw self.unavailable($0) }
        }.hop(to: loop)
    }

    /// One statement (``PostgresSchema``'s `lock_and_read`): the workspace's session-level lock (others wait for
    /// it), then, once the previous holder's commit is visible, the events after `sequence`. No transaction stays
    /// open: the change ends with the append's one statement, or with ``endChange(on:)``.
    private func performBeginChange(after sequence: UInt64) -> EventLoopFuture<[SyncEvent]> {
        if let failure: EventLoopFuture<[SyncEvent]> = closedFailure() { return failure }
        let query: PostgresQuery = """
            SELECT event_seq, event_text, event_origin
            FROM sync_agent.lock_and_read(\(workspaceID), \(Int64(sequence)), \(holdMilliseconds))
            """
        return withConnection { connection in
            self.readEvents(query, after: sequence, on: connection)
                .flatMapError { error in self.endChange(on: connection).flatMapThrowing { throw error } }
        }.map { events in
            self.changeOpen = true
            return self.mirrorEvents(events)
        }.flatMapErrorThrowing { throw self.unavailable($0) }
    }

    /// How long the server keeps a session that holds the workspace's lock and sends nothing (its
    /// `idle_session_timeout` meanwhile): the agent's `idleTransactionTimeout`, in milliseconds.
    var holdMilliseconds: Int32 { Int32(clamping: max(1, idleTransactionTimeout.nanoseconds / 1_000_000)) }

    /// Releases the workspace's lock (``PostgresSchema``'s `end_change`), best effort: a connection that cannot
    /// even do that is closed, which releases it too (the next operation opens another).
    func endChange(on connection: PostgresConnection) -> EventLoopFuture<Void> {
        guard !connection.isClosed else { return storeLoop.makeSucceededVoidFuture() }
        return connection.query("SELECT sync_agent.end_change()", logger: logger).map { _ in }.flatMapError { _ in
            Self.close(connection)
        }
    }

    /// The events after `sequence`, oldest first, as `query` returns them (the sequence number, the event's JSON,
    /// its origin; all of the workspace's events past `sequence`, by default); a gap (the events were compacted
    /// away under this agent) fails.
    private func readEvents(
        _ query: PostgresQuery? = nil, after sequence: UInt64, on connection: PostgresConnection
    ) -> EventLoopFuture<[(event: SyncEvent, origin: String)]> {
        let all: PostgresQuery = """
            SELECT seq, event::text, origin FROM sync_agent.events
            WHERE workspace = \(workspaceID) AND seq > \(Int64(sequence)) ORDER BY seq
            """
        let query = query ?? all
        let gaps = notifiedGaps
        return connection.query(query, logger: logger).flatMapThrowing { result in
            var expected = sequence + 1
            var events: [(event: SyncEvent, origin: String)] = []
            for row in result.rows {
                let (seq, text, origin) = try row.decode((Int64, String, String).self)
                if UInt64(seq) > expected {
                    throw SharedStoreGap(expected: expected, found: UInt64(seq), location: self.location)
                }
                guard UInt64(seq) == expected, let json = try? JSON.parse(text), let event = SyncEvent(json: json),
                    event.sequence == expected
                else {
                    throw StoreFailure(
                        description: "store \(self.location) holds event \(seq) where this agent expected event "
                            + "\(expected) (its events were compacted or rewritten); restart this agent to load them")
                }
                events.append((event, origin))
                expected += 1
            }
            // What the notifications before this read did not carry, it read.
            self.gapsCovered = max(self.gapsCovered, gaps)
            return events
        }
    }

    /// Keeps the mirror (the graph as of the last committed event) and the units' origins up with what others
    /// stored.
    private func mirrorEvents(_ events: [(event: SyncEvent, origin: String)]) -> [SyncEvent] {
        for (event, _) in events where event.sequence == mirror.nextSequence {
            mirror.replay(event)
        }
        if !events.isEmpty {
            origins.withLock { origins in
                for (event, origin) in events { origins.record(event, by: origin) }
            }
        }
        records += events.count
        return events.map(\.event)
    }

    package func origins(of units: [String]) -> [String?] {
        origins.withLock { origins in units.map { origins[$0] } }
    }

    func closedFailure<T>() -> EventLoopFuture<T>? {
        closed ? storeLoop.makeFailedFuture(StoreFailure(description: "store \(location) is closed")) : nil
    }

    func unavailable(_ error: any Error) -> any Error {
        if error is StoreFailure || error is SharedStoreGap { return error }
        return StoreFailure(description: "cannot reach store \(location): \(Self.reason(error))")
    }
}
