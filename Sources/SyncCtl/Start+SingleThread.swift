import SyncClient
import SyncProtocol

extension Start {
    /// What the start on the main thread leaves to the usual path (``run(after:)``): the token its request
    /// carried, the time left, the connection it lost after sending it, and the waiting line it printed.
    struct Handover {
        var token: String
        var timeout: Duration?
        var loss: Reconnector.Loss? = nil
        var waitedFor: [String]? = nil
    }

    /// Runs the start on the calling thread alone (``SingleThreadRequest``). Called on the main thread before the
    /// program starts any other, it leaves the process one thread while it waits, so the agent's answer wakes that
    /// thread and nothing else: the line is printed and the process ends sooner than through the tasks and threads
    /// of the usual path (docs/BENCHMARKS.md). Messages and exit statuses are the usual path's.
    /// - Returns: `nil` when the start is done and its line printed; otherwise what is left for ``run(after:)``
    ///   (no agent answered, so one may have to be started; the agent went away while the start waited).
    /// - Throws: ``CommandFailure``, as the usual path does.
    func startOnThisThread() throws -> Handover? {
        let unit = try Arity.exactlyOneUnit(arguments)
        try Arity.refuseEmptyNameAsStatus(unit)
        let token = SyncClient.newToken()
        let clock = ContinuousClock()
        let began = clock.now
        let socket = global.socket
        let single = SingleThreadRequest(
            socketPath: socket, timeout: timeout.duration, deadlineMessage: Self.timeoutMessage(unit),
            interruptible: true)
        var waitedFor: [String]?
        let outcome = single.run({ remaining in
            .start(unit: unit, wait: true, timeoutMs: remaining, token: token)
        }) { push in
            guard case .startWaiting(let waiting) = push, waitedFor == nil else { return }
            waitedFor = waiting.unsatisfied
            Output.line(Self.waitingLine(unit, waiting))
            Self.rehearseRelease(unit, waiting)
        }
        let left = timeout.duration.map { $0 - began.duration(to: clock.now) }
        switch outcome {
        case .replied(.start(let info)):
            Self.report(unit, info, waitedFor: waitedFor)
            return nil
        case .replied(let reply):
            let request = Request.Body.start(unit: unit, wait: true, timeoutMs: nil, token: token)
            throw CommandFailure(reply.mismatch(request), prefix: Self.failurePrefix, socket: socket)
        case .failed(let error) where error.code == .cancelled:
            throw Interruptible.failure(Self.what(unit))
        case .failed(let error):
            throw CommandFailure(error, prefix: Self.failurePrefix, socket: socket)
        case .notConnected:
            return Handover(token: token, timeout: left)
        case .lost(let loss):
            return Handover(token: token, timeout: left, loss: loss, waitedFor: waitedFor)
        }
    }
}
