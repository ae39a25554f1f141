import NIOCore
import SyncCore
import SyncProtocol

/// Where the agent keeps its history so that it survives a restart. ``FileJournalStore`` (the journal file) is the
/// one the agent uses; ``InMemoryEventStore`` serves tests. Another store (one shared by several agents) takes their
/// place without a change to ``AgentCore``, which sees only this protocol.
///
/// **Sequence numbers belong to the graph.** ``AgentCore``'s `UnitGraph` numbers every event, 1, 2, 3…, and hands
/// the events to the store in that order. The store persists each event with the number it was given and never
/// numbers, renumbers or reorders them. ``load()`` tells where the numbering goes on: the loaded snapshot's
/// `sequence` is the last event the store holds. A store that cannot put an event right after the last one it
/// holds (another writer got there first) fails that append, like any other failure.
///
/// **Durable means acknowledged.** An append completes with ``EventStoreAppend/durable`` only once every event of
/// it survives a crash of the agent and of the machine; only then does the agent let out the replies and pushes
/// that depend on them. Otherwise it completes with ``EventStoreAppend/failed(_:stored:)``, carrying the state the
/// store does hold: the agent returns to exactly that state, answers what it could not store with
/// `journal_unavailable`, and refuses changes until a ``compact(instance:snapshot:history:on:)`` succeeds (see
/// `AgentCore+JournalFailure.swift`). A store that is unavailable (a full disk, a lost connection) fails this way.
///
/// **Several agents on one store.** What other agents appended reaches this one through ``load()`` and through the
/// `stored` state of a failed append (the agent then rebuilds its graph from it). Pushing their events to a running
/// agent as they happen needs a way in that this protocol does not have yet.
///
/// **Calls and completions.** ``load()`` comes first, once, and may block (the agent is starting). Then appends and
/// compactions come from the agent's event loop, one at a time: the next is asked for only once the previous one
/// completed. Their futures complete on the loop they are given, never before the call has returned (the work
/// runs elsewhere). ``close()`` comes last.
package protocol EventStore: AnyObject, Sendable {
    /// Where the store is, for log lines and messages: the journal's path.
    var location: String { get }

    /// Opens the store (taking whatever lock keeps other agents out of it) and reads what it holds.
    /// - Throws: ``StoreFailure`` saying why the agent cannot start on it; `code` `EWOULDBLOCK` when another
    ///   agent holds it.
    func load() throws(StoreFailure) -> StoredState

    /// Stores `events` (the next ones after the last stored, in order) and makes them durable. A failure is an
    /// outcome (``EventStoreAppend/failed(_:stored:)``); the future itself fails only when the store was closed.
    func append(_ events: [EncodedEvent], on loop: any EventLoop) -> EventLoopFuture<EventStoreAppend>

    /// Replaces everything stored with `snapshot` plus `history` (recent events the snapshot already includes, for
    /// the timeline), atomically: the store never holds less than the whole state. The future fails with a
    /// ``StoreFailure`` when the store is left as it was.
    func compact(
        instance: String, snapshot: GraphSnapshot, history: [EncodedEvent], on loop: any EventLoop
    ) -> EventLoopFuture<Void>

    /// Waits for the work in progress, then releases the store (another agent may load it from then on).
    func close() async
}

/// How an append ended.
package enum EventStoreAppend: Sendable {
    /// Every event of the append is durable.
    case durable
    /// They are not. `stored` is the state the store holds now (nothing of the failed append), or why even that
    /// cannot be read (the agent then stops).
    case failed(StoreFailure, stored: Result<StoredState, StoreFailure>)
}

/// What a store holds.
package struct StoredState: Sendable {
    /// The history's name (see ``HelloInfo/instance``); it changes only when the history starts anew.
    package var instance: String
    /// The graph as of the last stored event (`snapshot.sequence`); made from ``graph`` when asked for, when the
    /// store handed a graph instead (at 100,000 units that takes a tenth of a restart, and the agent takes the graph).
    package var snapshot: GraphSnapshot {
        get { storedSnapshot ?? graph?.snapshot ?? GraphSnapshot(sequence: 0, units: [], edges: []) }
        set { storedSnapshot = newValue }
    }
    private var storedSnapshot: GraphSnapshot?
    /// The sequence number of the last stored event (``snapshot``'s), without making the snapshot.
    package var sequence: UInt64 { storedSnapshot?.sequence ?? graph.map { $0.nextSequence - 1 } ?? 0 }
    /// The events the store holds, oldest first, for the stream's history.
    package var events: [SyncEvent]
    /// Records stored since the last compaction: the agent compacts once they far outnumber the graph.
    package var recordsSinceCompaction: Int
    /// The graph of ``snapshot`` already built, when the store replayed its events into one with the agent's
    /// clock (the journal file does): the agent takes it rather than building it a second time. `nil`: the agent
    /// builds it from ``snapshot``.
    package var graph: UnitGraph?

    package init(
        instance: String, snapshot: GraphSnapshot, events: [SyncEvent], recordsSinceCompaction: Int,
        graph: UnitGraph? = nil
    ) {
        self.instance = instance
        self.storedSnapshot = snapshot
        self.events = events
        self.recordsSinceCompaction = recordsSinceCompaction
        self.graph = graph
    }

    /// The state of a store that replayed its records into `graph`; ``snapshot`` is made from it when asked for.
    package init(instance: String, graph: UnitGraph, events: [SyncEvent], recordsSinceCompaction: Int) {
        self.instance = instance
        self.events = events
        self.recordsSinceCompaction = recordsSinceCompaction
        self.graph = graph
    }
}

/// One event as the agent stores and streams it: its sequence number and its compact JSON, encoded once for the
/// journal and every subscriber whatever its protocol version.
///
/// An event made with ``init(deferring:)`` keeps the event and encodes it only when ``json`` is read: an agent with
/// no journal and no subscriber reads an event's JSON only if a client asks for its history, and a `complete` that
/// releases 10,000 waiters records 20,000 events in one step (see ``encodeNow()``).
package struct EncodedEvent: Sendable {
    package var sequence: UInt64
    /// The compact JSON (`SyncEvent.json.compact`), the same bytes whether it was encoded at once or deferred.
    package var json: String { encoded ?? EventLineEncoder.encode(deferred!) }
    /// The protocol version that introduced the event's kind: subscribers of older versions are not sent it.
    package var version: Int64 = 1
    /// On a shared store, the agent that made the change, as JSON (a quoted string): subscribers of protocol
    /// version 3 get it beside the event (``Push/eventFrame(id:event:encodedOrigin:)``). Not stored with the event.
    package var origin: String?
    /// The JSON, once encoded; `nil` while the event is deferred.
    private var encoded: String?
    /// The event whose encoding is deferred; `nil` once encoded.
    private var deferred: SyncEvent?

    package init(sequence: UInt64, json: String, version: Int64 = 1) {
        self.sequence = sequence
        self.encoded = json
        self.version = version
    }

    package init(_ event: SyncEvent) {
        self.init(
            sequence: event.sequence, json: EventLineEncoder.encode(event),
            version: ProtocolVersion.introduced(event.kind))
    }

    /// The event, its JSON encoded only when ``json`` is first read (each read encodes it again until
    /// ``encodeNow()``).
    package init(deferring event: SyncEvent) {
        sequence = event.sequence
        version = ProtocolVersion.introduced(event.kind)
        deferred = event
    }

    /// Whether the JSON is held encoded (not deferred).
    package var isEncoded: Bool { encoded != nil }

    /// Encodes a deferred event and keeps its JSON, for a holder that will read it more than once.
    package mutating func encodeNow() {
        guard let event = deferred else { return }
        encoded = EventLineEncoder.encode(event)
        deferred = nil
    }

    /// Whether a client of protocol `version` may be sent the event.
    package func isVisible(to version: Int64) -> Bool { self.version <= version }
}

/// A store could not be used; the message says what happened, where, and what to do.
package struct StoreFailure: Error, Sendable, CustomStringConvertible {
    package var description: String
    /// The `errno` behind it, when a system call failed.
    package var code: Int32?

    package init(description: String, code: Int32? = nil) {
        self.description = description
        self.code = code
    }
}
