import SyncCore
import SyncProtocol

extension Start {
    /// Runs, while the start is parked, the work its release will do, on a made-up answer: the agent's reply frame
    /// split off, parsed and decoded as a start's, and the finished line put together (not printed). The first
    /// time a program runs a piece of Swift code, the runtime also resolves type metadata and protocol
    /// conformances (a search through the records of the whole program, then cached); done here, that cost falls
    /// in the idle wait instead of between the agent's answer and the line a script waits for.
    /// - Returns: the line the release would print; nil if the made-up answer did not decode (nothing is lost
    ///   then: the real answer is decoded as always).
    @discardableResult
    static func rehearseRelease(_ unit: String, _ waiting: StartWaiting) -> String? {
        let info = StartInfo(
            unit: unit, dependencies: waiting.dependencies, unsatisfiedAtStart: waiting.unsatisfied, waited: true)
        let request = Request.Body.start(unit: unit, wait: true, timeoutMs: nil, token: "")
        let frame = Array((ServerMessage.ok(2, .start(info)).json.compact + "\n").utf8)
        var lines = LineBuffer(maxFrameBytes: frame.count)
        lines.append(frame[...])
        guard let line = try? lines.nextFrame(), let json = try? JSON.parse(line),
            case .reply(_, .success(let value)) = try? ServerMessage(json: json),
            case .start(let decoded) = try? Reply(json: value, answering: request)
        else { return nil }
        return finishedLine(unit, decoded, waitedFor: waiting.unsatisfied)
    }
}
