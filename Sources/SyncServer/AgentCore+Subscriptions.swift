import NIOCore
import SyncCore
import SyncProtocol

/// The event stream: snapshot-then-stream subscriptions, resumable from the ring, with slow subscribers dropped.
extension AgentCore {
    /// Opens a subscription: the events after `since` when they can be resumed from the ring within the same
    /// instance, otherwise a snapshot; then every new event as it happens.
    func subscribe(since: UInt64?, instance: String?, id: Int64, on connection: Connection) {
        connection.inflight[id] = .subscription
        subscriptions.add(connection: connection.id, requestID: id)
        let latest = graph.nextSequence - 1
        if let missed = Subscriptions.resumption(
            since: since, instance: instance, agentInstance: hello.instance, ring: ring, latest: latest)
        {
            for entry in missed where entry.isVisible(to: connection.version) {
                queue(
                    eventFrame(entry, id: id, version: connection.version), for: connection,
                    tag: .event(sequence: entry.sequence))
            }
            logger.debug("subscriber resumed", metadata: ["since": "\(since ?? 0)", "events": "\(missed.count)"])
        } else {
            send(
                snapshotPush(id: id, version: connection.version), to: connection,
                tag: .snapshot(id: id, through: latest))
        }
        if let unreachable = storeUnreachability, connection.version >= ProtocolVersion.introduced(.store(unreachable))
        {
            send(.push(id, .store(unreachable)), to: connection)
        }
    }

    /// The push that opens a subscription with the whole graph, as a client of protocol `version` sees it.
    func snapshotPush(id: Int64, version: Int64) -> ServerMessage {
        .push(id, .snapshot(instance: hello.instance, shownSnapshot(to: version)))
    }

    /// Ends a subscription.
    func unsubscribe(_ id: Int64, on connection: Connection) {
        connection.inflight[id] = nil
        subscriptions.remove(connection: connection.id, requestID: id)
    }

    /// Sends one event to every subscriber. A subscriber whose connection cannot take more (its client stopped
    /// reading and several megabytes are queued) is dropped rather than slowing anyone down: it gets no more
    /// events, and `too_slow` with the sequence to resume from is queued right behind the last event it was sent.
    /// The connection itself goes on (the client may subscribe again on it); it is closed only if the client
    /// still does not read within the stall timeout, like any client that stops reading.
    func publish(_ entry: EventRing.Entry) {
        guard !subscriptions.isEmpty else { return }
        let (live, slow) = subscriptions.fanOut { connections[$0]?.channel.isWritable }
        for subscription in live {
            guard let connection = connections[subscription.connection], entry.isVisible(to: connection.version)
            else { continue }
            queue(
                eventFrame(entry, id: subscription.requestID, version: connection.version), for: connection,
                tag: .event(sequence: entry.sequence))
        }
        for subscription in slow {
            guard let connection = connections[subscription.connection] else { continue }
            let resume = entry.sequence - 1
            logger.warning(
                "dropped a subscriber that could not keep up",
                metadata: ["connection": "\(connection.id)", "since": "\(resume)"])
            unsubscribe(subscription.requestID, on: connection)
            let message =
                "subscriber could not keep up with the event stream and was dropped at sequence "
                + "\(resume); subscribe again with since=\(resume) to resume"
            send(.error(subscription.requestID, WireError(.tooSlow, message, since: resume)), to: connection)
        }
    }

    /// The `event` push around the event's JSON, encoded once for every subscriber, with its origin for a
    /// subscriber of protocol version 3 or later (see ``EncodedEvent/origin``).
    private func eventFrame(_ entry: EventRing.Entry, id: Int64, version: Int64) -> String {
        guard version >= ProtocolVersion.origins, let origin = entry.origin else {
            return Push.eventFrame(id: id, event: entry.json)
        }
        return Push.eventFrame(id: id, event: entry.json, encodedOrigin: origin)
    }
}
