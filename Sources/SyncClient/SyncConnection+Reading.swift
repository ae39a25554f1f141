@preconcurrency import Glibc
import SyncCore
import SyncOS
import SyncProtocol

/// The reader thread: splits the agent's frames and hands each reply or push to the request it belongs to.
extension SyncConnection {
    func startReading() {
        startThread { [self] in readLoop() }
    }

    private func readLoop() {
        // Requests are limited to 1 MiB; replies may be larger (a list or snapshot of thousands of units).
        var lines = LineBuffer(maxFrameBytes: Self.maxReplyBytes)
        var chunk = [UInt8](repeating: 0, count: 65536)
        var failure: WireError?
        reading: while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            lines.append(chunk[..<count])
            do {
                while let frame = try lines.nextFrame() {
                    dispatch(frame)
                    // Closed by the client (a frame it cannot read): nothing after it counts.
                    if state.withLock({ $0.closeReason != nil }) { break reading }
                }
            } catch {
                failure = Self.oversizedFrame(lines.maxFrameBytes)
                break reading
            }
        }
        let (error, pending) = state.withLock { state -> (WireError, [Pending]) in
            let error = state.closeReason ?? failure ?? state.refusal ?? lost()
            state.closedError = error
            defer { state.pending.removeAll() }
            return (error, Array(state.pending.values))
        }
        for entry in pending { entry.answer.resume(.failure(error)) }
    }

    private func dispatch(_ frame: ArraySlice<UInt8>) {
        // The agent never sends what is not a reply or a push: whatever sent this is not speaking the protocol,
        // and the requests waiting on it would wait for ever.
        guard let json = try? JSON.parse(frame), let message = try? ServerMessage(json: json) else {
            close(because: Self.foreignFrame(frame.count, socketPath: socketPath))
            return
        }
        switch message {
        case .push(let id, let kind, let fields):
            guard let (request, handler) = state.withLock({ $0.pending[id].map { ($0.request, $0.onPush) } }) else {
                return
            }
            do {
                let push = try Push(kind: kind, fields: fields, answering: request)
                handler?(push)
            } catch {
                // The request cannot go on without what the push says: it ends here, and the agent drops it.
                fail(id, unreadable(error, what: "a \(goQuoted(kind)) push", of: request, id: id))
                _ = send(Request(id: 0, .cancel(request: id)))
            }
        case .reply(let id, let result):
            guard let id else {
                // An error about a frame the agent could not read: it concerns whichever request is oldest.
                guard case .failure(let error) = result else { return }
                let oldest = state.withLock { state -> Int64? in
                    guard let oldest = state.pending.keys.min() else {
                        state.refusal = error
                        return nil
                    }
                    return oldest
                }
                if let oldest { fail(oldest, error) }
                return
            }
            let pending = state.withLock { state -> Pending? in
                state.cancelled.remove(id)
                return state.pending.removeValue(forKey: id)
            }
            guard let pending else { return }
            switch result {
            case .success(let value):
                let stale = StaleRead(result: value)
                state.withLock { $0.lastStale = stale }
                do {
                    pending.answer.resume(.success(try Reply(json: value, answering: pending.request)))
                } catch {
                    pending.answer.resume(.failure(unreadable(error, what: "a reply", of: pending.request, id: id)))
                }
            case .failure(let error) where error.code == .badReply:
                pending.answer.resume(
                    .failure(unreadable(error, what: "an error reply", of: pending.request, id: id)))
            case .failure(let error): pending.answer.resume(.failure(error))
            }
        }
    }

    /// The `bad_reply` error for a reply or push of request `id` that cannot be decoded: what was wrong, from which
    /// request, and what to do.
    private func unreadable(_ error: WireError, what: String, of request: Request.Body, id: Int64) -> WireError {
        Self.unreadable(error, what: what, of: request, id: id, socketPath: socketPath, clientName: clientName)
    }
}
