import NIOCore
import PostgresNIO
import SyncCore
import SyncProtocol
import SyncServer

/// When agents that share a workspace write its snapshot, and how many events they keep behind it.
///
/// Agents catch up by reading the events after their last one, so a shared workspace is never rewritten as a
/// single agent's journal is. Instead, the change whose append takes the workspace ``snapshotEvery`` events past
/// its snapshot (or four per unit and edge of the graph, when that is more) also writes the graph as of its last
/// event as the new snapshot and deletes the events more than ``keptEvents`` behind it, in the same transaction, under
/// the workspace's lock. A new agent loads the snapshot and the events after it (those before it are its timeline),
/// so the table holds at most ``keptEvents`` + ``snapshotEvery`` events (plus one change) whatever the age of the
/// workspace. An agent that fell more than ``keptEvents`` events behind (cut off from the server while the others
/// wrote that much) finds its next events gone (``SharedStoreGap``) and reloads the snapshot and the events after it
/// by itself (``reload(on:)``). `sync-agent --retention N` keeps N events and snapshots every 2N.
package struct SharedRetention: Sendable {
    /// Events between two snapshots, at least.
    package var snapshotEvery: Int
    /// Events kept behind the latest snapshot.
    package var keptEvents: Int

    package init(snapshotEvery: Int, keptEvents: Int) {
        self.snapshotEvery = snapshotEvery
        self.keptEvents = keptEvents
    }

    /// A snapshot every 20,000 events (the journal's compaction threshold), 10,000 events kept behind it.
    package static let standard = SharedRetention(snapshotEvery: 20_000, keptEvents: 10_000)
}

extension PostgresEventStore {
    /// Inside the open change, once its events are inserted: writes the snapshot and deletes the old events when
    /// they are due (see ``SharedRetention``). - Returns: the new snapshot's sequence number, `nil` when none was due;
    /// the store takes it as its own once the change commits.
    func snapshotIfDue(after events: [EncodedEvent], on connection: PostgresConnection)
        -> EventLoopFuture<UInt64?>
    {
        guard let last = events.last?.sequence, snapshotDue(after: events) else {
            return storeLoop.makeSucceededFuture(nil)
        }
        // The mirror is the graph before these events (it takes them once they are committed).
        var graph = mirror
        for encoded in events where encoded.sequence == graph.nextSequence {
            guard let json = try? JSON.parse(encoded.json), let event = SyncEvent(json: json) else { break }
            graph.replay(event)
        }
        guard graph.nextSequence == last + 1 else { return storeLoop.makeSucceededFuture(nil) }
        let id = workspaceID
        let text = graph.snapshot.json.compact
        let oldest = Int64(last) - Int64(retention.keptEvents)
        return writeSnapshot(text, at: last, on: connection).flatMap {
            connection.query(
                "DELETE FROM sync_agent.events WHERE workspace = \(id) AND seq <= \(oldest)", logger: self.logger)
        }.map { deleted in
            self.logger.info(
                "shared workspace snapshot written",
                metadata: [
                    "store": "\(self.location)", "sequence": "\(last)",
                    "events deleted": "\(deleted.metadata.rows ?? 0)",
                ])
            return last
        }
    }

    /// Whether the change that appends `events` writes the snapshot (see ``SharedRetention``); costs nothing.
    func snapshotDue(after events: [EncodedEvent]) -> Bool {
        guard let last = events.last?.sequence else { return false }
        let due = max(retention.snapshotEvery, 4 * (mirror.unitCount + mirror.edgeCount))
        return last >= snapshotSequence + UInt64(due)
    }

    /// Writes `snapshot` (compact JSON) as the workspace's snapshot at `sequence`, replacing the one it had.
    func writeSnapshot(_ snapshot: String, at sequence: UInt64, on connection: PostgresConnection)
        -> EventLoopFuture<Void>
    {
        connection.query(
            """
            INSERT INTO sync_agent.snapshots (workspace, seq, snapshot)
            VALUES (\(workspaceID), \(Int64(sequence)), \(snapshot)::json)
            ON CONFLICT (workspace) DO UPDATE
            SET seq = EXCLUDED.seq, snapshot = EXCLUDED.snapshot, taken_at = now()
            """, logger: logger
        ).map { _ in }
    }
}
