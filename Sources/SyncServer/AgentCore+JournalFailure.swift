@preconcurrency import Glibc
import NIOCore
import SyncCore
import SyncProtocol

/// What the agent does when its journal cannot be written (disk full, read-only file system, I/O error).
///
/// The promise is that a change is acknowledged only once it is on disk. When a sync fails, the changes it carried
/// (and any made while it ran) are in memory but not stored, and nobody has been told they happened: their replies
/// and events are still held in the output pipeline. The agent then returns to exactly what is stored:
///
/// 1. The journal cuts its file back to the last synced line and reads it back; the graph is rebuilt from it
///    (what a restart would see). Keeping a shadow copy of the graph would have cost a copy per sync on the happy
///    path; reading back costs nothing until a write fails.
/// 2. Every held reply that depended on an undone change becomes `journal_unavailable`; held events after the
///    stored sequence are dropped (no subscriber ever saw them, so the numbers are free again); a held snapshot is
///    replaced by the stored one.
/// 3. Parked waits are parked again in the rebuilt graph, oldest first, including those an undone change had
///    released; a `start` that parked after the stored state is answered `journal_unavailable`, since its
///    registration was undone too.
/// 4. Until a write succeeds again, changes (`want`, `start`, `complete`, `fail`, `note`) are refused up front with
///    `journal_unavailable`; reads, `wait`, `subscribe` and `cancel` keep working. Every `journalRetryInterval`
///    the agent tries to rewrite the journal as a snapshot of its (stored) state; the first success ends the
///    refusal.
extension AgentCore {
    /// The refusal of a change while the journal cannot be written.
    func journalRefusal() -> WireError? {
        guard let problem = journal.problem else { return nil }
        if let sharing {
            return WireError(
                .storeUnavailable,
                "cannot store changes: the shared store \(sharing.store.storeAddress) cannot be reached "
                    + "(\(Self.describe(problem))). The agent refuses changes until it reaches it again (it retries "
                    + "every \(Self.text(journalRetryInterval)) to \(Self.text(journalRetryInterval * 4))); reads "
                    + "answer from its last copy of the graph. "
                    + "Check that PostgreSQL runs and can be reached, then retry")
        }
        return WireError(
            .journalUnavailable,
            "cannot store changes: \(Self.describe(problem)). The agent refuses changes until it can write its "
                + "journal again (it retries every \(Self.text(journalRetryInterval))); reads still work")
    }

    /// A sync failed. Returns to what the journal holds and refuses changes until it can be written again.
    func journalFailed(_ failure: StoreFailure, stored durable: Result<StoredState, StoreFailure>) {
        let undone =
            sharing == nil
            ? WireError(
                .journalUnavailable,
                "the change was not stored, so it was undone: \(Self.describe(failure)). The agent refuses changes "
                    + "until it can write its journal again; reads still work. Free space or fix the file, then retry")
            : WireError(
                .storeUnavailable,
                "the change was not acknowledged: \(Self.describe(failure)). If the shared store received its commit "
                    + "it stands, else it was undone; check with syncctl status once the store is back. The agent "
                    + "refuses changes until it reaches the store again; reads answer from its last copy")
        let contents: StoredState
        switch durable {
        case .success(let read):
            contents = read
        case .failure(let readError):
            logger.critical(
                "journal write failed and the journal cannot be read back; the agent stops",
                metadata: ["error": "\(failure)", "read error": "\(readError)"])
            let stored = journal.durableSequence
            let (frames, released) = sortOut(journal.failed(failure, stored: stored), stored: stored, undone: undone)
            deliver(frames)
            for (_, request, _) in released {
                guard let connection = connections[request.connection] else { continue }
                connection.inflight[request.requestID] = nil
                send(.error(request.requestID, undone), to: connection)
            }
            flushAll()
            onFatalError?("journal write failed (\(failure)) and could not be read back (\(readError))")
            return
        }
        let stored = contents.snapshot.sequence
        let message =
            "journal write failed: the changes it could not store are undone; changes are refused until it can be "
            + "written again"
        logger.error(
            "\(message)",
            metadata: [
                "error": "\(Self.describe(failure))", "stored sequence": "\(stored)",
                "undone events": "\(graph.nextSequence - 1 - stored)",
            ])
        if sharing != nil { storeBecameUnreachable(failure) }
        graph = UnitGraph(snapshot: contents.snapshot, clock: clock)
        ring.removeAll(after: stored)
        let stillParked = parked.detachAll()
        var (frames, toPark) = sortOut(journal.failed(failure, stored: stored), stored: stored, undone: undone)
        for connection in connections.values { connection.queuedBytes = 0 }
        for (waitID, request) in stillParked {
            if request.parkedAt <= stored || request.isCompletion {
                toPark.append((waitID, request, rearm: false))
            } else {
                // A start parked after the stored state: its registration and its wait were undone (it is not
                // parked again, so its timeout no longer counts).
                guard let connection = connections[request.connection] else { continue }
                connection.inflight[request.requestID] = nil
                frames.append(frame(.error(request.requestID, undone), to: connection.id))
            }
        }
        deliver(frames)
        for (waitID, request, rearm) in toPark.sorted(by: { $0.0 < $1.0 }) {
            parkAgain(waitID, request, rearm: rearm, undone: undone)
        }
        // A shared store already holds the waits parked again: what they record here would take sequence numbers
        // that belong to the next change.
        if sharing != nil { graph.discardPendingEvents() }
        afterChange()
        flushAll()
        scheduleRecovery()
    }

    /// Goes through the frames a failed sync left held: keeps what the stored state still supports, rewrites or
    /// drops the rest. - Returns: the frames to send, and the waits that a change released and must park again.
    private func sortOut(_ held: [OutputPipeline.Frame], stored: UInt64, undone: WireError)
        -> (frames: [OutputPipeline.Frame], toPark: [(WaitID, ParkedRequest, rearm: Bool)])
    {
        var frames: [OutputPipeline.Frame] = []
        var toPark: [(WaitID, ParkedRequest, rearm: Bool)] = []
        for item in held {
            switch item.tag {
            case .plain:
                frames.append(item)
            case .reply(let id, let through):
                frames.append(through <= stored ? item : frame(.error(id, undone), to: item.connection))
            case .event(let sequence):
                if sequence <= stored { frames.append(item) }
            case .snapshot(let id, let through):
                let version = connections[item.connection]?.version ?? ProtocolVersion.current
                frames.append(
                    through <= stored ? item : frame(snapshotPush(id: id, version: version), to: item.connection))
            case .waitEnded(let waitID, let request, let released, let through):
                guard released, through > stored else {
                    frames.append(item)
                    continue
                }
                guard connections[request.connection] != nil else { continue }
                if request.parkedAt <= stored || request.isCompletion {
                    // Released by a change that was undone: it waits on.
                    toPark.append((waitID, request, rearm: true))
                } else {
                    frames.append(frame(.error(request.requestID, undone), to: item.connection))
                }
            }
        }
        return (frames, toPark)
    }

    /// Parks a wait again in the rebuilt graph, or answers it when the stored state already settles it.
    private func parkAgain(_ waitID: WaitID, _ request: ParkedRequest, rearm: Bool, undone: WireError) {
        guard let connection = connections[request.connection] else { return }
        var answer: ServerMessage?
        do throws(SyncError) {
            switch request.kind {
            case .start(let unit, let token):
                // A wait that was parked in the stored state cannot be ready in it; if it were, starting it now
                // would be a change the journal cannot take.
                if graph.isReady(unit) {
                    answer = .error(request.requestID, undone)
                } else if case .started(let info) = try graph.start(unit, wait: waitID, token: token) {
                    answer = .ok(request.requestID, .start(info))
                }
            case .completion(let units):
                if case .done(let done) = try graph.awaitCompletion(of: units, wait: waitID) {
                    answer = .ok(request.requestID, .wait(units: done))
                }
            }
        } catch {
            answer = .error(request.requestID, WireError(error))
        }
        if let answer {
            connection.inflight[request.requestID] = nil
            send(answer, to: connection)
            return
        }
        parked.restore(waitID, request, rearm: rearm)
        connection.inflight[request.requestID] = .wait(waitID)
    }

    private func frame(_ message: ServerMessage, to connection: UInt64) -> OutputPipeline.Frame {
        OutputPipeline.Frame(connection: connection, frame: message.frame, tag: .plain)
    }

    // MARK: Recovery

    /// - Parameter delay: how long to wait; `journalRetryInterval` by default.
    func scheduleRecovery(in delay: TimeAmount? = nil) {
        let core = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(in: delay ?? journalRetryInterval) { core.value.attemptRecovery() }
    }

    /// Tries to rewrite the journal as a snapshot of the graph (which holds nothing unstored but the waits that
    /// began and ended meanwhile). Success ends the refusal of changes.
    private func attemptRecovery() {
        if let sharing {
            attemptSharedRecovery(sharing.store)
            return
        }
        guard journal.problem != nil, !shuttingDown, let store = journal.store else { return }
        guard journal.mayRecover else {
            scheduleRecovery()
            return
        }
        journal.beginRecovery()
        let snapshot = graph.snapshot
        let history = Array(ring.all.suffix(journal.historyLength))
        let core = NIOLoopBound(self, eventLoop: loop)
        store.compact(instance: hello.instance, snapshot: snapshot, history: history, on: loop).whenComplete {
            result in
            let core = core.value
            switch result {
            case .success:
                core.journal.recovered(through: snapshot.sequence, historyCount: history.count)
                core.logger.notice(
                    "journal written again; changes are accepted again",
                    metadata: ["journal": "\(store.location)", "sequence": "\(snapshot.sequence)"])
                core.startSync()
            case .failure(let error):
                core.journal.recoveryFailed()
                core.logger.debug("journal still cannot be written", metadata: ["error": "\(error)"])
                core.scheduleRecovery()
            }
            core.notifyIfDrained()
        }
    }

    /// `write journal /x/agent.journal: No space left on device (ENOSPC)`.
    static func describe(_ failure: StoreFailure) -> String {
        guard let code = failure.code, let name = errnoNames[code] else { return failure.description }
        return "\(failure.description) (\(name))"
    }

    private static let errnoNames: [Int32: String] = [
        ENOSPC: "ENOSPC", EDQUOT: "EDQUOT", EROFS: "EROFS", EIO: "EIO", EACCES: "EACCES", EPERM: "EPERM",
        EFBIG: "EFBIG", EBADF: "EBADF", ENOENT: "ENOENT", ENOMEM: "ENOMEM", EINVAL: "EINVAL",
    ]
}
