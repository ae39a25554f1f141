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
/// cannot be reached or went away, `timeout`, `cancelled`.
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
    public struct Waiting: Sendable, Equatable {
        public var unit: String
        public var dependencies: [String]
        public var unsatisfied: [String]
    }

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
        let result = try await connection.request(request) {
            kind, fields in
            guard kind == "waiting", let onWaiting else { return }
            let json = JSON.object(fields)
            onWaiting(
                Waiting(
                    unit: json["unit"]?.stringValue ?? unit, dependencies: json["dependencies"]?.stringList ?? [],
                    unsatisfied: json["unsatisfied"]?.stringList ?? []))
        }
        return StartInfo(json: result)
    }

    /// A random token for ``start(_:timeout:token:onWaiting:)``.
    public static func newToken() -> String {
        String(UInt64.random(in: .min ... .max), radix: 36)
    }

    /// Marks `unit` completed.
    public func complete(_ unit: String) async throws(WireError) {
        _ = try await connection.request(.complete(unit: unit))
    }

    /// Marks `unit` failed with `reason`; its dependents' waits are released with the cause.
    /// - Returns: the units that became skipped because of it, sorted.
    @discardableResult
    public func fail(_ unit: String, reason: String?) async throws(WireError) -> [String] {
        try await connection.request(.fail(unit: unit, reason: reason))["skipped"]?.stringList ?? []
    }

    /// The current graph and the events the agent still holds, oldest first (all of them, unless the agent has
    /// run long enough to drop the oldest from memory; then they start after the first event it kept).
    public func history() async throws(WireError) -> (snapshot: GraphSnapshot, events: [SyncEvent]) {
        let result = try await connection.request(.history)
        guard let snapshot = result["snapshot"].flatMap(GraphSnapshot.init(json:)) else {
            throw WireError(.badFrame, "the agent sent a history this client cannot read")
        }
        return (snapshot, result["events"]?.arrayValue?.compactMap(SyncEvent.init(json:)) ?? [])
    }

    /// The whole graph at this moment.
    public func snapshot() async throws(WireError) -> GraphSnapshot {
        let result = try await connection.request(.snapshot)
        guard let snapshot = GraphSnapshot(json: result) else {
            throw WireError(.badFrame, "the agent sent a snapshot this client cannot read")
        }
        return snapshot
    }

    /// The status of `unit` (also of an unregistered one: `info` is `nil`, ready is true).
    public func status(_ unit: String) async throws(WireError) -> UnitStatusReport {
        UnitStatusReport(json: try await connection.request(.status(unit: unit)))
    }

    /// Every registered unit, sorted by name.
    public func list() async throws(WireError) -> [UnitInfo] {
        let result = try await connection.request(.list)
        return result["units"]?.arrayValue?.compactMap(UnitInfo.init(json:)) ?? []
    }

    /// Waits until the units (or, with `all`, every unit registered now) are completed.
    /// - Parameter onWaiting: called once with the units not yet completed, when there are some.
    /// - Returns: the units waited for.
    /// - Throws: `unit_failed` naming the culprit, `timeout`, `cancelled`, `unreachable`.
    public func wait(
        for units: [String], all: Bool = false, timeout: Duration? = nil,
        onWaiting: (@Sendable ([String]) -> Void)? = nil
    ) async throws(WireError) -> [String] {
        let result = try await connection.request(.wait(units: units, all: all, timeoutMs: timeout?.milliseconds)) {
            kind, fields in
            guard kind == "waiting" else { return }
            onWaiting?(JSON.object(fields)["remaining"]?.stringList ?? [])
        }
        return result["units"]?.stringList ?? []
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
