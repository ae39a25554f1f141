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
        let decision = admission.admit(connection.peer)
        connection.refusal = admission.refusal(decision)
        switch decision {
        case .admitted:
            break
        case .stranger(let uid, let times):
            if AdmissionControl.isWorthLogging(times) {
                logger.warning(
                    "refused a client of another user",
                    metadata: [
                        "uid": "\(uid)", "pid": "\(connection.peer?.pid ?? 0)", "connection": "\(connection.id)",
                        "times": "\(times)",
                    ])
            }
        case .unknownPeer:
            logger.warning(
                "refused a client whose credentials could not be read", metadata: ["connection": "\(connection.id)"])
        case .overLimit(let times):
            if AdmissionControl.isWorthLogging(times) {
                logger.warning(
                    "refused a connection: connection limit reached",
                    metadata: ["limit": "\(admission.limits.connections)", "times": "\(times)"])
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
        let message =
            "no hello within \(Self.text(helloTimeout)); the connection is closed. Send "
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

    /// Why `request` must be refused before it touches anything, if it must: an over-long field, a change
    /// (``Request/Body/changesState``) while the journal cannot be written, or a limit it would cross.
    func refusal(of request: Request, on connection: Connection) -> WireError? {
        if let problem = lengthRefusal(of: request.body) { return problem }
        if request.body.changesState, let problem = journalRefusal() { return problem }
        return limitRefusal(of: request.body, on: connection)
    }

    private func lengthRefusal(of body: Request.Body) -> WireError? {
        if case .hello(_, let client, let clientVersion) = body {
            if let client, let problem = admission.tooLong("client name", client, limit: AgentLimits.maxTokenBytes) {
                return problem
            }
            if let clientVersion {
                return admission.tooLong("client version", clientVersion, limit: AgentLimits.maxTokenBytes)
            }
        }
        if case .start(_, _, _, let token?) = body {
            return admission.tooLong("start token", token, limit: AgentLimits.maxTokenBytes)
        }
        return nil
    }

    private func limitRefusal(of body: Request.Body, on connection: Connection) -> WireError? {
        switch body {
        case .want(let unit, let dependencies):
            return unitRefusal(unit) ?? edgeRefusal(unit, dependencies)
        case .start(let unit, let wait, _, _):
            if let problem = unitRefusal(unit) { return problem }
            // Only a start that may wait takes a place among the parked requests.
            return wait && !graph.isReady(unit) ? parkRefusal(on: connection) : nil
        case .fail(let unit, _):
            return unitRefusal(unit)
        case .wait(let units, let all, _):
            let names = all ? nil : units
            let done = names?.allSatisfy { graph.status(of: $0) == .completed } ?? false
            return done ? nil : parkRefusal(on: connection)
        case .subscribe:
            return admission.subscriberRefusal(inFlight: connection.inflight.count, subscribers: subscriptions.count)
        case .hello, .complete, .note, .readiness, .ping, .status, .list, .cancel, .snapshot, .history:
            return nil
        }
    }

    private func unitRefusal(_ unit: String) -> WireError? {
        admission.unitRefusal(unit, registered: graph.isRegistered(unit), units: graph.unitCount)
    }

    private func edgeRefusal(_ unit: String, _ dependencies: [String]) -> WireError? {
        let existing = graph.dependencyCount(of: unit)
        guard existing + dependencies.count > admission.limits.edgesPerUnit else { return nil }
        // Close to the limit: count only the dependencies that are new (names compared as bytes).
        let added = dependencies.uniqueByBytes().count { !graph.hasDependency(unit, on: $0) }
        return admission.edgeRefusal(unit, existing: existing, added: added)
    }

    private func parkRefusal(on connection: Connection) -> WireError? {
        admission.parkRefusal(inFlight: connection.inflight.count, parked: parked.count)
    }

    /// A failure reason (or a note) far longer than the journal keeps is cut here already, so no request makes the
    /// agent work through a megabyte of text; the graph cuts it to its limit and marks the cut with `…`.
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

    /// A readiness report's texts, each shortened as a reason is.
    static func shortened(_ report: ReadinessReport) -> ReadinessReport {
        ReadinessReport(
            checks: report.checks.map { shortened($0) }, attempts: report.attempts,
            result: report.result.map { shortened($0) })
    }

    /// `10 s`, `250 ms`.
    static func text(_ amount: TimeAmount) -> String {
        DurationText.text(.nanoseconds(amount.nanoseconds), .spaced)
    }
}
