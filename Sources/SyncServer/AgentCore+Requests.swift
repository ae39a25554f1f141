import NIOCore
import SyncCore
import SyncProtocol

/// One method per request type. Each answers at once, or parks the request and answers it later.
extension AgentCore {
    func handle(_ request: Request, on connection: Connection) {
        let id = request.id
        if !connection.greeted, case .hello = request.body {
        } else if !connection.greeted {
            let message = #"send hello first, e.g. {"id":0,"type":"hello","version":\#(ProtocolVersion.current)}"#
            send(.error(id, WireError(.helloRequired, message)), to: connection)
            return
        }
        if connection.inflight[id] != nil {
            let message = "request id \(id) is already in flight on this connection; use a new id"
            send(.error(id, WireError(.duplicateID, message)), to: connection)
            return
        }
        if shuttingDown {
            send(.error(id, WireError(.shuttingDown, "the agent is shutting down")), to: connection)
            return
        }
        if let refusal = refusal(of: request, on: connection) {
            noteRefusal(
                "refused a request", kind: refusal.code.rawValue, on: connection, error: refusal.message,
                level: .notice)
            send(.error(id, refusal), to: connection)
            return
        }
        do throws(SyncError) {
            switch request.body {
            case .hello(let version, let client, let clientVersion):
                greet(connection, id: id, version: version, client: client, clientVersion: clientVersion)
            case .ping:
                send(.ok(id, .ping), to: connection)
            case .want(let unit, let dependencies):
                for dependency in dependencies {
                    try graph.want(unit, dependsOn: dependency)
                }
                reply(.ok(id, .want(unit: unit, declared: dependencies)), to: connection, id: id)
            case .start(let unit, let wait, let timeoutMs, let token):
                try start(unit, wait: wait, timeoutMs: timeoutMs, token: token, id: id, on: connection)
            case .complete(let unit):
                try graph.complete(unit)
                reply(.ok(id, .complete), to: connection, id: id)
            case .fail(let unit, let reason):
                try graph.fail(unit, reason: reason.map(Self.shortened))
                let skipped = graph.pendingEvents.compactMap { event -> String? in
                    guard case .statusChanged(let unit, _, .skipped, _, _, _) = event.kind else { return nil }
                    return unit
                }
                reply(.ok(id, .fail(skipped: skipped.sorted(by: bytewise))), to: connection, id: id)
            case .note(let unit, let text):
                try graph.note(unit, Self.shortened(text))
                reply(.ok(id, .note(kept: graph.info(unit)?.note)), to: connection, id: id)
            case .readiness(let unit, let report):
                try graph.reportReadiness(unit, Self.shortened(report))
                reply(.ok(id, .readiness), to: connection, id: id)
            case .status(let unit):
                var report = try statusReport(unit).visible(to: connection.version)
                report.info = report.info.map { withOrigins([$0])[0] }
                reply(.ok(id, .status(report), stale: staleRead), to: connection, id: id)
            case .list:
                let units = withOrigins(graph.allUnits.map { $0.visible(to: connection.version) })
                reply(.ok(id, .list(units), stale: staleRead), to: connection, id: id)
            case .wait(let units, let all, let timeoutMs):
                try awaitCompletion(all ? graph.unitNames : units, timeoutMs: timeoutMs, id: id, on: connection)
            case .cancel(let target):
                cancel(target, id: id, on: connection)
            case .snapshot:
                let snapshot = shownSnapshot(to: connection.version)
                reply(.ok(id, .snapshot(snapshot), stale: staleRead), to: connection, id: id)
            case .history:
                // The events are encoded in the ring (those deferred, now and once); the reply is assembled around
                // them as text.
                ring.encodeAll()
                let version = connection.version
                let frame = Reply.historyFrame(
                    id: id, instance: hello.instance, snapshot: shownSnapshot(to: version),
                    events: ring.all.filter { $0.isVisible(to: version) }.map(\.json), stale: staleRead)
                queue(frame, for: connection, tag: .reply(id: id, through: graph.nextSequence - 1))
            case .subscribe(let since, let instance):
                subscribe(since: since.map(UInt64.init), instance: instance, id: id, on: connection)
            }
        } catch {
            reply(.error(id, WireError(error)), to: connection, id: id)
        }
    }

    private func greet(_ connection: Connection, id: Int64, version: Int64, client: String?, clientVersion: String?) {
        guard protocolVersions.contains(version) else {
            let supported = protocolVersions.map(String.init).joined(separator: ", ")
            let message =
                "protocol version \(version) is not supported; this agent "
                + "(sync-agent \(ProtocolVersion.productVersion)) speaks \(supported). Use a matching syncctl"
            logger.info(
                "refused a client with another protocol version",
                metadata: [
                    "version": "\(version)", "client": "\(client ?? "?")", "client version": "\(clientVersion ?? "?")",
                ])
            send(.error(id, WireError(.unsupportedVersion, message)), to: connection)
            closeWhenIdle(connection)
            return
        }
        connection.greeted = true
        connection.version = version
        connection.helloTimer?.cancel()
        connection.helloTimer = nil
        // Debug, not info: every syncctl command says hello. A client from before `client_version` shows "?".
        logger.debug(
            "hello",
            metadata: [
                "client": "\(client ?? "?")", "client version": "\(clientVersion ?? "?")",
                "connection": "\(connection.id)", "version": "\(version)",
            ])
        var answer = hello
        answer.version = version
        send(.ok(id, .hello(answer)), to: connection)
    }

    private func start(
        _ unit: String, wait: Bool, timeoutMs: Int64?, token: String?, id: Int64, on connection: Connection
    ) throws(SyncError) {
        let waitID = parked.makeID()
        switch try graph.start(unit, wait: wait ? waitID : nil, token: token) {
        case .started(let info):
            reply(.ok(id, .start(info)), to: connection, id: id)
        case .parked(let dependencies, let unsatisfied):
            park(waitID, .start(unit: unit, token: token), timeoutMs: timeoutMs, id: id, on: connection)
            let waiting = StartWaiting(unit: unit, dependencies: dependencies, unsatisfied: unsatisfied)
            send(.push(id, .startWaiting(waiting)), to: connection)
        }
    }

    private func awaitCompletion(
        _ units: [String], timeoutMs: Int64?, id: Int64, on connection: Connection
    ) throws(SyncError) {
        let waitID = parked.makeID()
        switch try graph.awaitCompletion(of: units, wait: waitID) {
        case .done(let units):
            reply(.ok(id, .wait(units: units)), to: connection, id: id)
        case .parked(let remaining):
            park(waitID, .completion(units: units), timeoutMs: timeoutMs, id: id, on: connection)
            send(.push(id, .waitWaiting(remaining: remaining)), to: connection)
        }
    }

    private func park(
        _ waitID: WaitID, _ kind: ParkedRequest.Kind, timeoutMs: Int64?, id: Int64, on connection: Connection
    ) {
        let request = ParkedRequest(
            connection: connection.id, requestID: id, kind: kind, deadline: nil,
            parkedAt: graph.nextSequence - 1)
        parked.park(waitID, request, timeoutMs: timeoutMs)
        connection.inflight[id] = .wait(waitID)
    }

    /// A parked request's timeout expired.
    func expire(_ waitID: WaitID) {
        guard let request = parked.release(waitID) else { return }
        endWaitInGraph(waitID, outcome: .timeout)
        let message: String
        switch request.kind {
        case .start(let unit, _):
            message = "timeout waiting for dependencies of unit '\(unit)'"
        case .completion(let units):
            let remaining = units.filter { graph.status(of: $0) != .completed }
            message = "timeout waiting for units to complete: \(remaining.joined(separator: ", "))"
        }
        finish(request, waitID, with: .error(request.requestID, WireError(.timeout, message)))
        afterChange()
        flushAll()
    }

    private func cancel(_ target: Int64, id: Int64, on connection: Connection) {
        let cancelled = WireError(.cancelled, "request \(target) was cancelled by the client")
        switch connection.inflight[target] {
        case .wait(let waitID):
            guard let request = parked.release(waitID) else { fallthrough }
            endWaitInGraph(waitID, outcome: .cancelled)
            finish(request, waitID, with: .error(target, cancelled))
        case .subscription:
            unsubscribe(target, on: connection)
            send(.error(target, cancelled), to: connection)
        case nil:
            let message = "request \(target) is not in flight on this connection"
            send(.error(id, WireError(.unknownRequest, message)), to: connection)
            return
        }
        send(.ok(id, .cancel), to: connection)
    }

    private func statusReport(_ unit: String) throws(SyncError) -> UnitStatusReport {
        if let problem = UnitName.problem(with: unit) {
            throw SyncError(.invalidName, "cannot get status for unit \(goQuoted(unit)): \(problem)")
        }
        return UnitStatusReport(
            unit: unit, info: graph.info(unit), isReady: graph.isReady(unit),
            dependencies: graph.dependencies(of: unit), dependents: graph.dependents(of: unit))
    }
}

extension Request {
    /// Whether the answer depends on the graph: with a shared store it waits until the agent caught up.
    var readsGraph: Bool {
        switch body {
        case .hello, .ping, .cancel: return false
        default: return true
        }
    }
}
