import NIOCore
import PostgresNIO
import SyncCore
import SyncProtocol
import SyncServer

/// The events other agents' notifications carry (``PostgresNotice``), and the append that needs no open change
/// (``PostgresSchema``'s `append_if_head`): together the cross-agent wake's one round trip on the woken agent
/// (see `AgentCore+SharedWake.swift`). On the store's loop.
extension PostgresEventStore {
    /// At most this many notified events wait for the agent to take them; past it they are dropped and the agent
    /// reads the store instead.
    static let maxNotified = 10_000

    /// Another agent's notification: its events, when it carries them and they follow the mirror's last one, are
    /// committed already (a notification is delivered after its commit, in commit order), so they go into the
    /// mirror and wait for the agent. Otherwise the agent must read the store.
    func received(_ notice: PostgresNotice) {
        guard loaded else {
            // The first read runs: its state may or may not hold these events, so they wait for no mirror yet.
            receivedWhileLoading = true
            return
        }
        guard let events = notice.events, let first = events.first, first.sequence <= mirror.nextSequence else {
            notifiedGaps += 1
            return
        }
        var read: [(event: SyncEvent, origin: String)] = []
        for encoded in events where encoded.sequence >= mirror.nextSequence {
            guard encoded.sequence == mirror.nextSequence, let json = try? JSON.parse(encoded.json),
                let event = SyncEvent(json: json), event.sequence == encoded.sequence
            else {
                notifiedGaps += 1
                return
            }
            mirror.replay(event)
            read.append((event, notice.origin))
        }
        records += read.count
        notified += read.map(\.event)
        if notified.count > Self.maxNotified {
            notified = []
            notifiedGaps += 1
        }
        let origin = notice.origin
        origins.withLock { origins in
            for (event, _) in read { origins.record(event, by: origin) }
        }
    }

    package func notifiedEvents(after sequence: UInt64) -> [SyncEvent]? {
        guard gapsCovered == notifiedGaps else { return nil }
        defer { notified = [] }
        let events = notified.filter { $0.sequence > sequence }
        for (index, event) in events.enumerated() where event.sequence != sequence + 1 + UInt64(index) {
            return nil
        }
        return events
    }

    package func appendIfCurrent(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<SharedAppend> {
        storeLoop.flatSubmit { self.performAppendIfCurrent(events) }.hop(to: loop)
    }

    /// One statement, `append_if_head`, when the mirror ends just before `events` (the agent's graph and the
    /// mirror agree on what is stored) and no snapshot is due (that append is a change's, with its snapshot).
    private func performAppendIfCurrent(_ events: [EncodedEvent]) -> EventLoopFuture<SharedAppend> {
        if let failure: EventLoopFuture<SharedAppend> = closedFailure() { return failure }
        guard let first = events.first, let last = events.last, !changeOpen, first.sequence == mirror.nextSequence,
            !snapshotDue(after: events)
        else { return storeLoop.makeSucceededFuture(.declined) }
        let query: PostgresQuery = """
            SELECT sync_agent.append_if_head(\(workspaceID), \(Int64(first.sequence) - 1), \(Int64(last.sequence)),
                \(events.map { Int64($0.sequence) })::bigint[], \(events.map(\.json))::text[], \(origin),
                \(notificationChannel), \(PostgresNotice.payload(sender: notificationPayload, events: events)))
            """
        return withConnection { connection in
            connection.query(query, logger: self.logger).flatMapThrowing { result in
                try result.rows.first.map { Int(try $0.decode(Int64.self)) } ?? 0
            }
        }.map { inserted -> SharedAppend in
            guard inserted == events.count else { return .declined }
            self.replayIntoMirror(events)
            self.records += events.count
            self.unacknowledged = nil
            return .stored
        }.flatMapErrorThrowing { error in
            // The commit may have happened with its answer lost.
            self.unacknowledged = last.sequence
            throw self.unavailable(error)
        }
    }
}
