import Logging
import NIOCore
import SyncCore
import SyncProtocol

/// The one owner of the agent's state: the unit graph, the connections and the parked requests.
///
/// Every method runs on the agent's single event loop, so a request is handled from frame to reply without a lock
/// or a hop, and a `complete` releases its waiters in the same step.
final class AgentCore {
    /// A request that waits on the agent: a parked `start` or `wait`.
    struct ParkedRequest {
        enum Kind {
            case start(unit: String)
            case completion(units: [String])
        }
        var connection: UInt64
        var requestID: Int64
        var kind: Kind
        var timer: Scheduled<Void>?
    }

    var graph: UnitGraph
    let loop: any EventLoop
    let logger: Logger
    let hello: HelloInfo
    let maxFrameBytes: Int
    var connections: [UInt64: Connection] = [:]
    var parked: [WaitID: ParkedRequest] = [:]
    private var nextConnectionID: UInt64 = 1
    private var nextWaitID: UInt64 = 1
    var shuttingDown = false

    init(configuration: AgentConfiguration, loop: any EventLoop, pid: Int64) {
        self.graph = UnitGraph(clock: configuration.clock)
        self.loop = loop
        self.logger = configuration.logger
        self.maxFrameBytes = configuration.maxFrameBytes
        self.hello = HelloInfo(
            version: ProtocolVersion.current, agentVersion: ProtocolVersion.productVersion, pid: pid,
            maxFrameBytes: Int64(configuration.maxFrameBytes))
    }

    // MARK: Connections

    func connectionOpened(_ channel: any Channel) -> Connection {
        let connection = Connection(id: nextConnectionID, channel: channel)
        nextConnectionID += 1
        connections[connection.id] = connection
        logger.trace("client connected", metadata: ["connection": "\(connection.id)"])
        return connection
    }

    /// Drops everything the connection had in flight: its parked waits end as `disconnected`.
    func connectionClosed(_ connection: Connection) {
        connections[connection.id] = nil
        let dropped = connection.inflight.count
        for (_, wait) in connection.inflight.sorted(by: { $0.key < $1.key }) {
            parked.removeValue(forKey: wait)?.timer?.cancel()
            graph.endWait(wait, outcome: .disconnected)
        }
        connection.inflight.removeAll()
        if dropped > 0 {
            logger.info("client went away; dropped its parked waits", metadata: ["waits": "\(dropped)"])
        }
        afterChange()
    }

    /// Sends everything queued on every connection.
    func flushAll() {
        for connection in connections.values where connection.needsFlush || connection.inputClosed {
            connection.flush()
        }
    }

    // MARK: Frames

    /// Handles one frame: parses it, checks it, and answers it (now, or later for a parked wait).
    func receive(_ frame: ByteBuffer, on connection: Connection) {
        let json: JSON
        do {
            json = try frame.withUnsafeReadableBytes { try JSON.parse(bytes: $0) }
        } catch {
            logger.info("refused a frame that is not JSON", metadata: ["error": "\(error)"])
            connection.send(.error(nil, WireError(.badFrame, "frame is not valid JSON: \(error)")))
            return
        }
        let request: Request
        do {
            request = try Request(json: json)
        } catch {
            logger.info("refused a bad request", metadata: ["error": "\(error.message)"])
            connection.send(.error(error.requestID, error))
            return
        }
        handle(request, on: connection)
        afterChange()
    }

    /// Answers a frame that grew past the limit, then closes the connection: the rest of its stream cannot be
    /// framed reliably.
    func refuseOversizedFrame(_ size: Int, on connection: Connection) {
        logger.info("refused an oversized frame", metadata: ["bytes": "\(size)"])
        let message = "frame exceeds \(maxFrameBytes) bytes without a newline; the connection is closed"
        connection.send(.error(nil, WireError(.frameTooLarge, message)))
        connection.channel.writeAndFlush(ByteBuffer(), promise: nil)
        connection.channel.close(promise: nil)
    }

    // MARK: After each change

    /// Delivers the waits that ended and hands on the new events.
    func afterChange() {
        for resolution in graph.drainResolutions() {
            guard let request = parked.removeValue(forKey: resolution.id) else { continue }
            request.timer?.cancel()
            let message: ServerMessage
            switch resolution.result {
            case .success(.started(let info)): message = .ok(request.requestID, info.json)
            case .success(.completed(let units)): message = .ok(request.requestID, .object([("units", .strings(units))]))
            case .failure(let error): message = .error(request.requestID, WireError(error))
            }
            finish(request, with: message)
        }
        for event in graph.drainEvents() {
            logger.debug("\(event.summary)", metadata: ["seq": "\(event.sequence)"])
        }
    }

    /// Sends the final reply of a parked request and forgets it.
    func finish(_ request: ParkedRequest, with message: ServerMessage) {
        guard let connection = connections[request.connection] else { return }
        connection.inflight[request.requestID] = nil
        connection.send(message)
    }

    /// A new wait id.
    func makeWaitID() -> WaitID {
        defer { nextWaitID += 1 }
        return WaitID(nextWaitID)
    }
}

extension SyncEvent {
    /// One line for the log.
    var summary: String {
        switch kind {
        case .registered(let unit): return "registered \(unit)"
        case .dependencyAdded(let unit, let dependency, let required):
            return "\(unit) depends on \(dependency) (\(required.rawValue))"
        case .statusChanged(let unit, let from, let to, let reason, let cause):
            var line = "\(unit): \(from.display) -> \(to.rawValue)"
            if let reason { line += " (\(reason))" }
            if let cause { line += " [\(cause.rootDescription), via \(cause.chainDescription)]" }
            return line
        case .waitBegan(let unit, let unsatisfied):
            return "\(unit) waits for \(unsatisfied.joined(separator: ", "))"
        case .waitEnded(let unit, let outcome): return "\(unit) wait ended: \(outcome.rawValue)"
        }
    }
}
