import Logging
import NIOCore
import SyncCore
import SyncProtocol

/// The one owner of the agent's state: the unit graph, the connections and the event ring, and its parts, each a
/// type of its own with its own tests: the parked requests (``ParkedWaits``), the subscriptions (``Subscriptions``),
/// what is on its way to the store (``JournalGate``) and the limits (``AdmissionControl``).
///
/// Every method runs on the agent's single event loop, so a request is handled from frame to reply without a lock
/// or a hop, and a `complete` releases its waiters in the same step. Replies leave only once the changes they
/// acknowledge are in the journal (see `AgentCore+Output.swift`).
final class AgentCore {
    var graph: UnitGraph
    let loop: any EventLoop
    let logger: Logger
    let hello: HelloInfo
    let maxFrameBytes: Int
    let closeLinger: TimeAmount
    let clock: UnitGraph.Clock
    let helloTimeout: TimeAmount
    let stallTimeout: TimeAmount
    let journalRetryInterval: TimeAmount
    /// The protocol versions accepted in `hello` (``AgentConfiguration/protocolVersions``).
    let protocolVersions: [Int64]
    var connections: [UInt64: Connection] = [:]
    /// The limits, and the connections admitted and refused under them (see `AgentCore+Limits.swift`).
    var admission: AdmissionControl
    /// What the store holds and what waits for it (see `AgentCore+Output.swift`); while the store cannot be
    /// written, changes are refused (see `AgentCore+JournalFailure.swift`).
    var journal: JournalGate
    /// With a store several agents share: what waits for the graph to be current (see
    /// `AgentCore+SharedStore.swift`); `nil` with the journal file.
    var sharing: SharedChanges?
    /// Called when the agent must stop: its journal failed and could not even be read back.
    var onFatalError: ((String) -> Void)?
    /// Parked `start`s and `wait`s, with their timers.
    var parked: ParkedWaits
    /// Open event-stream subscriptions (see `AgentCore+Subscriptions.swift`).
    var subscriptions = Subscriptions()
    /// Recent events, encoded, for subscribers that resume.
    var ring: EventRing
    private var nextConnectionID: UInt64 = 1
    var shuttingDown = false

    /// Creates the core, with the graph and history its store held, if any.
    /// - Parameters:
    ///   - store: where events are kept; `nil` keeps them in memory only (`--ephemeral`).
    ///   - restored: what `store` held when it was loaded.
    init(
        configuration: AgentConfiguration, loop: any EventLoop, pid: Int64, store: (any EventStore)?,
        restored: StoredState?
    ) {
        let instance = restored?.instance ?? JournalReader.newInstance()
        if let restored {
            // A million-event journal was replayed into a graph already: building it again from the snapshot took
            // a sixth of the restart.
            graph = restored.graph ?? UnitGraph(snapshot: restored.snapshot, clock: configuration.clock)
        } else {
            graph = UnitGraph(clock: configuration.clock)
        }
        ring = EventRing(capacity: configuration.eventHistory)
        // Only the newest events fit in the ring: encoding the others (a journal may hold millions) would only
        // slow the restart down.
        for event in (restored?.events ?? []).suffix(configuration.eventHistory) {
            ring.append(EventRing.Entry(event))
        }
        self.loop = loop
        self.logger = configuration.logger
        self.maxFrameBytes = configuration.maxFrameBytes
        self.closeLinger = TimeAmount(configuration.closeLinger)
        self.clock = configuration.clock
        self.helloTimeout = TimeAmount(configuration.helloTimeout)
        self.stallTimeout = TimeAmount(configuration.stallTimeout)
        self.journalRetryInterval = TimeAmount(configuration.journalRetryInterval)
        self.protocolVersions = configuration.protocolVersions
        self.admission = AdmissionControl(
            limits: configuration.limits, allowedPeerUIDs: configuration.allowedPeerUIDs)
        self.journal = JournalGate(
            store: store, restored: restored, compactAfterRecords: configuration.compactAfterLines)
        self.parked = ParkedWaits(loop: loop)
        let shared = store as? any SharedEventStore
        self.sharing = shared.map { SharedChanges(store: $0) }
        self.hello = HelloInfo(
            version: ProtocolVersion.current, agentVersion: ProtocolVersion.productVersion, pid: pid,
            maxFrameBytes: Int64(configuration.maxFrameBytes), instance: instance,
            socket: configuration.socketPath.path, store: shared?.storeAddress, workspace: shared?.workspace)
        parked.onExpiry = { [weak self] waitID in self?.expire(waitID) }
    }

    // MARK: Connections

    func connectionOpened(_ channel: any Channel, peer: PeerCredentials?) -> Connection {
        let connection = Connection(id: nextConnectionID, channel: channel, peer: peer, linger: closeLinger)
        nextConnectionID += 1
        connections[connection.id] = connection
        logger.trace(
            "client connected",
            metadata: ["connection": "\(connection.id)", "uid": "\(peer.map { String($0.uid) } ?? "?")"])
        admit(connection)
        return connection
    }

    /// Drops everything the connection had in flight: its parked waits end as `disconnected`, its subscriptions
    /// end.
    func connectionClosed(_ connection: Connection) {
        connections[connection.id] = nil
        connection.helloTimer?.cancel()
        connection.stallTimer?.cancel()
        if connection.refusal == nil { admission.closed() }
        var dropped = 0
        for (_, inflight) in connection.inflight.sorted(by: { $0.key < $1.key }) {
            guard case .wait(let wait) = inflight else { continue }
            _ = parked.release(wait)
            endWaitInGraph(wait, outcome: .disconnected)
            dropped += 1
        }
        subscriptions.removeAll(of: connection.id)
        connection.inflight.removeAll()
        if dropped > 0 {
            logger.info("client went away; dropped its parked waits", metadata: ["waits": "\(dropped)"])
        }
        if connection.refusedFrames > connection.loggedRefusals.count {
            let summary =
                "client went away after \(connection.refusedFrames) refused bad frames and requests; "
                + "only the first of each kind was logged"
            logger.info("\(summary)", metadata: ["connection": "\(connection.id)"])
        }
        afterChange()
        flushAll()
    }

    // MARK: Frames

    /// Handles one frame: parses it, checks it, and answers it (now, or later for a parked wait).
    func receive(_ frame: ByteBuffer, on connection: Connection) {
        // A refused connection was told at once and is closing: nothing of it is parsed.
        guard connection.refusal == nil else { return }
        let json: JSON
        do {
            json = try frame.withUnsafeReadableBytes { try JSON.parse(bytes: $0) }
        } catch {
            noteRefusal("refused a frame that is not JSON", kind: "bad_frame", on: connection, error: "\(error)")
            send(.error(nil, WireError(.badFrame, "frame is not valid JSON: \(error)")), to: connection)
            return
        }
        let request: Request
        do {
            request = try Request(json: json)
        } catch {
            noteRefusal("refused a bad request", kind: "bad_request", on: connection, error: error.message)
            send(.error(error.requestID, error), to: connection)
            return
        }
        if sharing != nil, request.readsGraph {
            let id = connection.id
            whenCurrent(changes: request.body.changesState) { [unowned self] in
                guard let connection = connections[id], connection.refusal == nil else { return }
                handle(request, on: connection)
            }
            return
        }
        handle(request, on: connection)
        afterChange()
    }

    /// Answers a frame that grew past the limit, then closes the connection: the rest of its stream cannot be
    /// framed reliably. Its parked waits end when it closes.
    func refuseOversizedFrame(_ size: Int, on connection: Connection) {
        logger.info("refused an oversized frame", metadata: ["bytes": "\(size)", "connection": "\(connection.id)"])
        let message = "frame exceeds \(maxFrameBytes) bytes without a newline; the connection is closed"
        send(.error(nil, WireError(.frameTooLarge, message)), to: connection)
        connection.mustClose = true
        closeWhenIdle(connection)
    }

    // MARK: Back-pressure

    /// Handles a frame now, or holds it while the connection's replies pile up (the client sends faster than it
    /// reads). Holding stops reading from the client too, so what is held is bounded by one read.
    func receiveOrHold(_ frame: InboundFrame, on connection: Connection) {
        if connection.backlog.isEmpty && connection.canTakeMore {
            handle(frame, on: connection)
            return
        }
        connection.backlog.append(frame)
        if connection.backlog.count == 1 { updateReading(connection) }
    }

    private func handle(_ frame: InboundFrame, on connection: Connection) {
        guard connection.refusal == nil else { return }
        switch frame {
        case .frame(let buffer): receive(buffer, on: connection)
        case .oversized(let size): refuseOversizedFrame(size, on: connection)
        }
    }

    /// Handles held frames while the connection takes its replies, then reads from it again.
    func workThroughBacklog(_ connection: Connection) {
        guard connections[connection.id] != nil else { return }
        var handled = false
        while connection.canTakeMore, let frame = connection.backlog.popFirst() {
            handle(frame, on: connection)
            handled = true
        }
        updateReading(connection)
        if handled { flushAll() }
    }

    /// Reads from the client only while its replies are taken and nothing of it is held.
    func updateReading(_ connection: Connection) {
        let read = connection.channel.isWritable && connection.backlog.isEmpty
        connection.channel.setOption(ChannelOptions.autoRead, value: read).whenFailure { _ in }
        if read { connection.channel.read() }
    }

    /// After output left for `connection`: if frames of it are held, works through them in a turn of their own.
    func scheduleBacklog(_ connection: Connection) {
        guard !connection.backlog.isEmpty, !connection.backlogScheduled else { return }
        connection.backlogScheduled = true
        let core = NIOLoopBound(self, eventLoop: loop)
        let id = connection.id
        loop.execute {
            guard let connection = core.value.connections[id] else { return }
            connection.backlogScheduled = false
            core.value.workThroughBacklog(connection)
        }
    }

    // MARK: After each change

    /// Delivers the waits that ended, and hands each new event to the history, the journal and the subscribers.
    func afterChange() {
        for resolution in graph.drainResolutions() {
            guard let request = parked.release(resolution.id) else { continue }
            let frame: String
            switch resolution.result {
            // The reply a release sends by the thousand: encoded straight into its frame (the same bytes).
            case .success(.started(let info)): frame = ReplyLineEncoder.startReply(id: request.requestID, info)
            case .success(.completed(let units)): frame = ServerMessage.ok(request.requestID, .wait(units: units)).frame
            case .failure(let error): frame = ServerMessage.error(request.requestID, WireError(error)).frame
            }
            finish(request, resolution.id, frame: frame, released: true)
        }
        // Encoded at once only for a journal or a subscriber; otherwise when someone reads the history.
        let encodes = journal.store != nil || !subscriptions.isEmpty
        let logs = logger.logLevel <= .debug
        for event in graph.drainEvents() {
            if logs { logger.debug("\(event.summary)", metadata: ["seq": "\(event.sequence)"]) }
            var entry = EventRing.Entry(deferring: event)
            if encodes { entry.encodeNow() }
            entry.origin = sharing?.ownOrigin
            journal.record(entry)
            publish(entry)
            // Last, so the entry moves into the ring rather than being copied.
            ring.append(entry)
        }
    }

    /// Sends the final reply of a parked request and forgets it.
    /// - Parameter released: a change released it (rather than a timeout, a cancel or shutdown).
    func finish(_ request: ParkedRequest, _ waitID: WaitID, with message: ServerMessage, released: Bool = false) {
        finish(request, waitID, frame: message.frame, released: released)
    }

    /// ``finish(_:_:with:released:)`` with the reply's frame already encoded.
    func finish(_ request: ParkedRequest, _ waitID: WaitID, frame: String, released: Bool) {
        guard let connection = connections[request.connection] else { return }
        connection.inflight[request.requestID] = nil
        let tag = OutputPipeline.Frame.Tag.waitEnded(
            waitID, request, released: released, through: graph.nextSequence - 1)
        queue(frame, for: connection, tag: tag)
    }
}

extension SyncEvent {
    /// One line for the log.
    var summary: String {
        switch kind {
        case .registered(let unit): return "registered \(unit)"
        case .dependencyAdded(let unit, let dependency, let required):
            return "\(unit) depends on \(dependency) (\(required.rawValue))"
        case .statusChanged(let unit, let from, let to, let reason, let cause, _):
            var line = "\(unit): \(from.display) -> \(to.rawValue)"
            if let reason { line += " (\(reason))" }
            if let cause { line += " [\(cause.rootDescription), via \(cause.chainDescription)]" }
            return line
        case .waitBegan(let unit, let unsatisfied):
            return "\(unit) waits for \(unsatisfied.joined(separator: ", "))"
        case .waitEnded(let unit, let outcome): return "\(unit) wait ended: \(outcome.rawValue)"
        case .noted(let unit, let note): return "\(unit) note: \(note ?? "(cleared)")"
        case .readiness(let unit, let report):
            let waits =
                report.checks.isEmpty ? "every check passed" : "waits for " + report.checks.joined(separator: ", ")
            return "\(unit) readiness: \(waits), \(report.attempts) attempts"
                + (report.result.map { ", last: \($0)" } ?? "")
        }
    }
}
