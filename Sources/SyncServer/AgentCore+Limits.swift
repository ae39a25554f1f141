import Logging
import NIOCore
import SyncCore
import SyncProtocol

/// Who may talk to the agent, and how much anyone may ask of it. A refusal concerns one request or one connection;
/// everything else goes on. Refusals are logged sparingly: a refused connection the first time for its user and
/// then at the 10th, 100th… time; a refused frame or request once per kind and connection.
extension AgentCore {
    // MARK: Connections

    /// Decides whether a new connection is served, and arms its hello timer. A connection that is not served (another
    /// user, past the connection limit) is told why at once, with `id` `null`, and closed as soon as that is
    /// written: none of its bytes is read or parsed, and it holds no descriptor while waiting for anything.
    func admit(_ connection: Connection) {
        if let peer = connection.peer {
            if !allowedPeerUIDs.contains(peer.uid) {
                let allowed = allowedPeerUIDs.sorted().map(String.init).joined(separator: " and ")
                connection.refusal = WireError(
                    .permissionDenied,
                    "permission denied: this agent serves uid \(allowed) only, and you are uid \(peer.uid); "
                        + "run syncctl as the agent's user, or start an agent of your own")
                refusals.strangers[peer.uid, default: 0] += 1
                let times = refusals.strangers[peer.uid]!
                if Self.isWorthLogging(times) {
                    logger.warning(
                        "refused a client of another user",
                        metadata: [
                            "uid": "\(peer.uid)", "pid": "\(peer.pid)", "connection": "\(connection.id)",
                            "times": "\(times)",
                        ])
                }
            }
        } else {
            connection.refusal = WireError(
                .permissionDenied, "permission denied: the agent could not tell which user connected")
            logger.warning("refused a client whose credentials could not be read", metadata: ["connection": "\(connection.id)"])
        }
        if connection.refusal == nil {
            if admittedConnections >= limits.connections {
                connection.refusal = WireError(
                    .limitExceeded,
                    "too many connections: the agent serves at most \(limits.connections) at once "
                        + "(raise it with sync-agent --max-connections)")
                refusals.overLimit += 1
                if Self.isWorthLogging(refusals.overLimit) {
                    logger.warning(
                        "refused a connection: connection limit reached",
                        metadata: ["limit": "\(limits.connections)", "times": "\(refusals.overLimit)"])
                }
            } else {
                admittedConnections += 1
            }
        }
        if let refusal = connection.refusal {
            connection.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
            send(.error(nil, refusal), to: connection)
            connection.mustClose = true
            closeWhenIdle(connection)
            flushAll()
            return
        }
        let core = NIOLoopBound(self, eventLoop: loop)
        let id = connection.id
        connection.helloTimer = loop.scheduleTask(in: helloTimeout) {
            guard let connection = core.value.connections[id] else { return }
            core.value.helloTimedOut(connection)
        }
    }

    /// Whether the `count`th repeat of a refusal is logged: the first, then the 10th, 100th…, so a flood of them
    /// cannot flood the log while the log still shows it is going on.
    static func isWorthLogging(_ count: Int) -> Bool {
        var power = 1
        while power < count { power *= 10 }
        return power == count
    }

    /// Logs a refused frame or request of `connection` the first time one of this `kind` is refused; later ones are
    /// only counted, and one line sums them up when the connection closes. A client sending garbage in a loop
    /// thus costs the log two lines, not one per frame.
    func noteRefusal(
        _ message: Logger.Message, kind: String, on connection: Connection, error: String, level: Logger.Level = .info
    ) {
        connection.refusedFrames += 1
        guard connection.loggedRefusals.insert(kind).inserted else { return }
        logger.log(level: level, message, metadata: ["error": "\(error)", "connection": "\(connection.id)"])
    }

    /// A connection sent no hello in time: it is told so and closed.
    private func helloTimedOut(_ connection: Connection) {
        connection.helloTimer = nil
        guard !connection.greeted, !connection.closeWhenIdle else { return }
        logger.info(
            "closed a connection that sent no hello in time",
            metadata: ["connection": "\(connection.id)", "timeout": "\(helloTimeout)"])
        let message = "no hello within \(Self.text(helloTimeout)); the connection is closed. Send "
            + #"{"id":0,"type":"hello","version":\#(ProtocolVersion.current)} first"#
        send(.error(nil, WireError(.helloRequired, message)), to: connection)
        closeWhenIdle(connection)
        flushAll()
    }

    /// The client stopped (or started again) taking its replies. One that stays stalled for the stall timeout is
    /// disconnected: it cannot be told, since it does not read.
    func writabilityChanged(_ connection: Connection, writable: Bool) {
        if writable {
            connection.stallTimer?.cancel()
            connection.stallTimer = nil
            workThroughBacklog(connection)
            return
        }
        updateReading(connection)
        guard connection.stallTimer == nil else { return }
        let core = NIOLoopBound(self, eventLoop: loop)
        let id = connection.id
        connection.stallTimer = loop.scheduleTask(in: stallTimeout) {
            guard let connection = core.value.connections[id] else { return }
            core.value.stalled(connection)
        }
    }

    private func stalled(_ connection: Connection) {
        connection.stallTimer = nil
        guard !connection.channel.isWritable else { return }
        logger.warning(
            "disconnected a client that stopped reading its replies",
            metadata: ["connection": "\(connection.id)", "stalled for": "\(Self.text(stallTimeout))"])
        connection.channel.close(promise: nil)
    }

    // MARK: Requests

    /// Why `request` must be refused before it touches anything, if it must: a change while the journal cannot
    /// be written, an over-long field, or a limit it would cross.
    func refusal(of request: Request, on connection: Connection) -> WireError? {
        switch request.body {
        case .hello(_, let client):
            if let client, client.utf8.count > AgentLimits.maxTokenBytes {
                return tooLong("client name", client, limit: AgentLimits.maxTokenBytes)
            }
            return nil
        case .want(let unit, let dependencies):
            return journalRefusal() ?? unitRefusal(unit) ?? edgeRefusal(unit, dependencies)
        case .start(let unit, let wait, _, let token):
            if let token, token.utf8.count > AgentLimits.maxTokenBytes {
                return tooLong("start token", token, limit: AgentLimits.maxTokenBytes)
            }
            if let problem = journalRefusal() ?? unitRefusal(unit) { return problem }
            // Only a start that may wait takes a place among the parked requests.
            return wait && !graph.isReady(unit) ? parkRefusal(on: connection) : nil
        case .complete:
            return journalRefusal()
        case .fail(let unit, _):
            return journalRefusal() ?? unitRefusal(unit)
        case .wait(let units, let all, _):
            let names = all ? nil : units
            let done = names?.allSatisfy { graph.status(of: $0) == .completed } ?? false
            return done ? nil : parkRefusal(on: connection)
        case .subscribe:
            if let problem = inFlightRefusal(on: connection) { return problem }
            guard subscriptions.count < limits.subscribers else {
                return limit(
                    "too many subscribers: the agent streams events to at most \(limits.subscribers) at once",
                    flag: "--max-subscribers")
            }
            return nil
        case .ping, .status, .list, .cancel, .snapshot, .history:
            return nil
        }
    }

    private func unitRefusal(_ unit: String) -> WireError? {
        guard !graph.isRegistered(unit), graph.unitCount >= limits.units else { return nil }
        return limit(
            "too many units: the agent holds at most \(limits.units), and \(goQuoted(unit)) would be one more",
            flag: "--max-units")
    }

    private func edgeRefusal(_ unit: String, _ dependencies: [String]) -> WireError? {
        let existing = graph.dependencyCount(of: unit)
        guard existing + dependencies.count > limits.edgesPerUnit else { return nil }
        // Close to the limit: count only the dependencies that are new (names compared as bytes).
        let added = dependencies.uniqueByBytes().count { !graph.hasDependency(unit, on: $0) }
        guard existing + added > limits.edgesPerUnit else { return nil }
        return limit(
            "too many dependencies: a unit may have at most \(limits.edgesPerUnit), and \(goQuoted(unit)) has "
                + "\(existing) and would get \(added) more",
            flag: "--max-edges-per-unit")
    }

    private func parkRefusal(on connection: Connection) -> WireError? {
        if let problem = inFlightRefusal(on: connection) { return problem }
        guard parked.count < limits.parkedWaits else {
            return limit(
                "too many waiting requests: the agent parks at most \(limits.parkedWaits) starts and waits at once",
                flag: "--max-parked-waits")
        }
        return nil
    }

    private func inFlightRefusal(on connection: Connection) -> WireError? {
        guard connection.inflight.count >= limits.inFlightPerConnection else { return nil }
        return limit(
            "too many requests in flight on this connection: at most \(limits.inFlightPerConnection) waiting "
                + "starts, waits and subscriptions; use another connection or finish some first",
            flag: "--max-requests-per-connection")
    }

    /// A `limit_exceeded` refusal (logged once per connection by ``noteRefusal(_:on:)``).
    private func limit(_ message: String, flag: String) -> WireError {
        WireError(.limitExceeded, "\(message) (raise it with sync-agent \(flag))")
    }

    private func tooLong(_ what: String, _ value: String, limit: Int) -> WireError {
        WireError(.limitExceeded, "\(what) is \(value.utf8.count) bytes long; at most \(limit) are allowed")
    }

    /// A failure reason far longer than the journal keeps is cut here already, so no request makes the agent work
    /// through a megabyte of text; the graph cuts it to ``AgentLimits/maxReasonBytes`` and marks the cut with `…`.
    static func shortened(_ reason: String) -> String {
        let keep = 4 * AgentLimits.maxReasonBytes
        guard reason.utf8.count > keep else { return reason }
        var scalars = String.UnicodeScalarView()
        var bytes = 0
        for scalar in reason.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > keep { break }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// `10 s`, `250 ms`.
    static func text(_ amount: TimeAmount) -> String {
        DurationText.text(.nanoseconds(amount.nanoseconds), .spaced)
    }
}
