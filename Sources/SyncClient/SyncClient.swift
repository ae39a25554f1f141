import SyncCore
import SyncOS
import SyncProtocol

/// The agent's operations as async calls, over one ``SyncConnection``.
///
/// ```swift
/// let client = try await SyncClient.connect(to: SocketPath.resolve())
/// defer { client.close() }
/// try await client.want("claude", dependsOn: ["git"])
/// let started = try await client.start("claude", timeout: .seconds(300)) { waiting in print(waiting.unsatisfied) }
/// ```
///
/// Every method throws ``WireError``: the agent's refusal with its code and message, `unreachable` when the agent
/// cannot be reached or went away, `timeout`, `cancelled`, `bad_reply` when the agent's answer cannot be decoded.
public final class SyncClient: Sendable {
    /// The connection underneath; usable for requests this type does not wrap.
    public let connection: SyncConnection

    public init(connection: SyncConnection) {
        self.connection = connection
    }

    /// Connects to the agent at `socketPath` and says hello, after checking that only the user or root can have
    /// put the socket there and that its server is the user's or root's
    /// (see ``SyncConnection/connect(to:client:helloTimeout:)``).
    public static func connect(
        to socketPath: SocketPath, client: String = "syncctl", helloTimeout: Duration = .seconds(10)
    ) async throws(WireError) -> SyncClient {
        SyncClient(
            connection: try await SyncConnection.connect(to: socketPath, client: client, helloTimeout: helloTimeout))
    }

    /// Closes the connection. Parked waits of this client are dropped by the agent.
    public func close() { connection.close() }

    /// Checks that the agent answers.
    public func ping() async throws(WireError) {
        _ = try await connection.request(.ping)
    }

    /// Declares that `unit` depends on each of `dependencies` completing, in order; stops at the first refusal
    /// (declarations before it stay, as coder's).
    public func want(_ unit: String, dependsOn dependencies: [String]) async throws(WireError) {
        _ = try await connection.request(.want(unit: unit, dependsOn: dependencies))
    }

    /// What a waiting `start` is waiting for.
    public typealias Waiting = StartWaiting

    /// Starts `unit`: returns once the agent has marked it started, which it does the moment the unit's
    /// dependencies are satisfied.
    /// - Parameters:
    ///   - timeout: how long the agent may keep the start parked; `nil` waits without limit.
    ///   - onWaiting: called once, before the wait, when the unit is not ready yet.
    /// - Throws: `timeout` (`timeout waiting for dependencies of unit 'u'`), `dependency_failed`, `same_status`,
    ///   `cancelled` when the task is cancelled (the agent drops the wait), `unreachable`.
    ///   - token: identifies this start across reconnections: a retry with the same token of a start the agent
    ///     already carried out succeeds again instead of failing with `same_status`.
    public func start(
        _ unit: String, timeout: Duration? = nil, token: String = SyncClient.newToken(),
        onWaiting: (@Sendable (Waiting) -> Void)? = nil
    ) async throws(WireError) -> StartInfo {
        let request = Request.Body.start(unit: unit, wait: true, timeoutMs: timeout?.milliseconds, token: token)
        let reply = try await connection.request(request) { push in
            guard case .startWaiting(let waiting) = push else { return }
            onWaiting?(waiting)
        }
        guard case .start(let info) = reply else { throw reply.mismatch(request) }
        return info
    }

    /// A random token for ``start(_:timeout:token:onWaiting:)``.
    public static func newToken() -> String {
        String(UInt64.random(in: .min ... .max), radix: 36)
    }

    /// Marks `unit` completed.
    public func complete(_ unit: String) async throws(WireError) {
        _ = try await connection.request(.complete(unit: unit))
    }

    /// Sets the progress note of the registered `unit` (`""` clears it).
    /// - Returns: the note the agent kept (one line, cut to its limit), `nil` when cleared.
    /// - Throws: `not_registered` when nobody declared `unit`; `journal_unavailable` while the journal fails.
    @discardableResult
    public func note(_ unit: String, _ text: String) async throws(WireError) -> String? {
        let request = Request.Body.note(unit: unit, text: text)
        let reply = try await connection.request(request)
        guard case .note(let kept) = reply else { throw reply.mismatch(request) }
        return kept
    }

    /// Reports what the started `unit`'s service still waits for: the `checks` not passed yet, the probes made so
    /// far (`attempts`, all checks together) and the latest failed `result` (`nil` before any). The unit keeps the
    /// report until it is started again; a report equal to the latest records nothing. Send one summary every
    /// second or so, never one per probe.
    /// - Throws: `not_registered` when nobody declared `unit`; `not_started` when it is not started (a report
    ///   after the `complete` lost the race: ignore it); `journal_unavailable` while the journal fails.
    public func reportReadiness(_ unit: String, checks: [String], attempts: Int, result: String?) async throws {
        let request = Request.Body.readiness(
            unit: unit, report: ReadinessReport(checks: checks, attempts: attempts, result: result))
        let reply = try await connection.request(request)
        guard case .readiness = reply else { throw reply.mismatch(request) }
    }

    /// Marks `unit` failed with `reason`; its dependents' waits are released with the cause.
    /// - Returns: the units that became skipped because of it, sorted.
    @discardableResult
    public func fail(_ unit: String, reason: String?) async throws(WireError) -> [String] {
        let request = Request.Body.fail(unit: unit, reason: reason)
        let reply = try await connection.request(request)
        guard case .fail(let skipped) = reply else { throw reply.mismatch(request) }
        return skipped
    }

    /// The current graph and the events the agent still holds, oldest first (all of them, unless the agent has
    /// run long enough to drop the oldest from memory; then they start after the first event it kept).
    public func history() async throws(WireError) -> (snapshot: GraphSnapshot, events: [SyncEvent]) {
        let reply = try await connection.request(.history)
        guard case .history(_, let snapshot, let events) = reply else { throw reply.mismatch(.history) }
        return (snapshot, events)
    }

    /// The whole graph at this moment.
    public func snapshot() async throws(WireError) -> GraphSnapshot {
        let reply = try await connection.request(.snapshot)
        guard case .snapshot(let snapshot) = reply else { throw reply.mismatch(.snapshot) }
        return snapshot
    }

    /// The status of `unit` (also of an unregistered one: `info` is `nil`, ready is true).
    public func status(_ unit: String) async throws(WireError) -> UnitStatusReport {
        let request = Request.Body.status(unit: unit)
        let reply = try await connection.request(request)
        guard case .status(let report) = reply else { throw reply.mismatch(request) }
        return report
    }

    /// Every registered unit, sorted by name.
    public func list() async throws(WireError) -> [UnitInfo] {
        let reply = try await connection.request(.list)
        guard case .list(let units) = reply else { throw reply.mismatch(.list) }
        return units
    }

    /// Waits until the units (or, with `all`, every unit registered now) are completed.
    /// - Parameter onWaiting: called once with the units not yet completed, when there are some.
    /// - Returns: the units waited for.
    /// - Throws: `unit_failed` naming the culprit, `timeout`, `cancelled`, `unreachable`.
    public func wait(
        for units: [String], all: Bool = false, timeout: Duration? = nil,
        onWaiting: (@Sendable ([String]) -> Void)? = nil
    ) async throws(WireError) -> [String] {
        let request = Request.Body.wait(units: units, all: all, timeoutMs: timeout?.milliseconds)
        let reply = try await connection.request(request) { push in
            guard case .waitWaiting(let remaining) = push else { return }
            onWaiting?(remaining)
        }
        guard case .wait(let done) = reply else { throw reply.mismatch(request) }
        return done
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a short timeout never becomes zero (no limit).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return attoseconds % 1_000_000_000_000_000 > 0 ? millis + 1 : millis
    }
}
