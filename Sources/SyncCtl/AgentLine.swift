import Synchronization
import SyncClient
import SyncProtocol

/// One connection to the agent that a long-lived command keeps open while its service runs (`run --ready`,
/// `ready --when`), so that what it tells the agent (progress, the note, completed, failed) is one request on a
/// connection already open: the moment a service is ready, releasing its dependents costs no connect and no hello,
/// and the completion is written by the thread that saw the last check pass (``sendNow(_:)``), not by a task woken
/// after it.
///
/// A connection that was lost (the agent restarted) is given up: ``send(_:)`` says so, the caller sends that
/// message over its reconnecting path instead, and the next message opens a kept connection again. The locks only
/// guard the connection's hand-over and the request written early.
final class AgentLine: Sendable {
    private let global: GlobalOptions
    private let kept = Mutex<SyncClient?>(nil)
    /// The request ``sendNow(_:)`` wrote, with the connection it went out on, until ``sent(on:)`` takes it.
    private let early = Mutex<(client: SyncClient, request: SentRequest)?>(nil)

    /// - Parameter client: a connection the command already opened (`ready` starts its unit on it), kept from now on.
    init(global: GlobalOptions, client: SyncClient? = nil) {
        self.global = global
        kept.withLock { $0 = client }
    }

    /// Opens the kept connection now, if the agent answers (best effort: a failure is met again by the next
    /// message, which then reconnects).
    func open() async {
        _ = await client()
    }

    /// Closes the kept connection.
    func close() {
        kept.withLock { $0.take() }?.close()
    }

    /// Sends `body` over the kept connection. - Returns: `false` when the connection is lost (or none could be
    /// opened): nothing was delivered, or its reply was lost with the connection; the caller repeats it over a
    /// reconnecting path. Any other error is thrown.
    func send(_ body: @Sendable (SyncClient) async throws -> Void) async throws -> Bool {
        guard let client = await client() else { return false }
        do {
            try await body(client)
            return true
        } catch {
            guard let wire = error as? WireError, Reconnector.isLoss(wire) else { throw error }
            kept.withLock { if $0 === client { $0 = nil } }
            client.close()
            return false
        }
    }

    /// Writes `body` at once, from the calling thread, on the kept connection when one is open (nothing otherwise):
    /// the thread that sees a service become ready tells the agent itself, before anything is handed to a task.
    /// ``sent(on:)`` then gives the request to the code that awaits its answer.
    func sendNow(_ body: Request.Body) {
        guard let client = kept.withLock({ $0 }) else { return }
        let request = client.connection.sendNow(body)
        early.withLock { $0 = (client, request) }
    }

    /// The request ``sendNow(_:)`` wrote on `client`, once; nil when it wrote none there (the caller sends it).
    func sent(on client: SyncClient) -> SentRequest? {
        early.withLock { early in
            guard let written = early, written.client === client else { return nil }
            early = nil
            return written.request
        }
    }

    /// The kept connection, opened when there is none.
    private func client() async -> SyncClient? {
        if let client = kept.withLock({ $0 }) { return client }
        guard let client = try? await SyncClient.connect(to: global.socket, client: "syncctl") else { return nil }
        kept.withLock { $0 = client }
        return client
    }
}
