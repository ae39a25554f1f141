import Foundation
import SyncTestSupport
import Testing

/// A linearizability-style check of a graph shared through PostgreSQL: concurrent clients on three agents declare,
/// start, complete and fail units that depend on each other's, recording every operation they saw acknowledged,
/// while an agent is killed with SIGKILL and started again and PostgreSQL is restarted. The store's log must hold
/// every acknowledged operation, in an order consistent with the order they were acknowledged in (each client's own
/// order included), and no unit may start before a dependency it required completed (see ``OperationHistory``).
@Suite("History of a shared graph under faults", .timeLimit(.minutes(4)))
struct SharedHistoryTests {
    static let clients = 6
    static let steps = 6

    /// What one `syncctl` attempt ended with, for the retry decision.
    enum Outcome {
        case acknowledged
        /// Done by an earlier attempt whose answer was lost (`same status already set` on our own unit).
        case doneBefore
        /// Refused for good (a dependency failed).
        case refused
    }

    /// Runs `arguments` on `agent` until acknowledged or refused for good, retrying what a fault interrupted (the
    /// agent unreachable while killed, the store unavailable while restarted); records it when acknowledged.
    static func perform(
        _ kind: OperationHistory.Operation.Kind, _ arguments: [String], unit: String, dependency: String? = nil,
        client: Int, agent: Int, cluster: SharedCluster, history: OperationHistory
    ) async throws -> Outcome {
        let invoked = ContinuousClock.now
        for _ in 0..<300 {
            let result = try await cluster.run(agent, arguments)
            if result.status == 0 {
                history.record(
                    .init(
                        client: client, kind: kind, unit: unit, dependency: dependency, invoked: invoked,
                        acknowledged: .now))
                return .acknowledged
            }
            if result.stderr.contains("same status already set") { return .doneBefore }
            if result.status == 122 { return .refused }
            guard result.status == 1 || result.status == 123 else {
                Issue.record("client \(client): \(arguments): \(result)")
                return .refused
            }
            // A fault: the agent is being restarted (123) or the store is unavailable (1, store_unavailable) for a
            // moment; no signal reaches this client, and the agent retries the store after 1 to 4 s.
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("client \(client) gave up on \(arguments)")
        return .refused
    }

    static func unit(_ client: Int, _ step: Int) -> String { "c\(client)u\(step)" }

    /// One client's script: its units in steps, each after its own previous one and another client's (on another
    /// agent); at the end a unit that fails.
    static func client(_ client: Int, cluster: SharedCluster, history: OperationHistory) async throws {
        let agent = client % 3
        func perform(
            _ kind: OperationHistory.Operation.Kind, _ arguments: [String], _ unit: String, _ dependency: String? = nil
        ) async throws -> Outcome {
            try await Self.perform(
                kind, arguments, unit: unit, dependency: dependency, client: client, agent: agent, cluster: cluster,
                history: history)
        }
        for step in 0..<steps {
            let unit = Self.unit(client, step)
            if step > 0 {
                for dependency in [Self.unit(client, step - 1), Self.unit((client + 1) % clients, step - 1)] {
                    _ = try await perform(.want, ["want", unit, dependency], unit, dependency)
                }
            }
            guard try await perform(.start, ["start", unit, "--timeout", "3m"], unit) != .refused else { return }
            _ = try await perform(.complete, ["complete", unit], unit)
        }
        let last = "c\(client)x"
        _ = try await perform(.want, ["want", last, Self.unit(client, steps - 1)], last, Self.unit(client, steps - 1))
        guard try await perform(.start, ["start", last, "--timeout", "3m"], last) != .refused else { return }
        _ = try await perform(.fail, ["fail", last, "--reason", "planned"], last)
    }

    @Test func everyAcknowledgedOperationSurvivesAKilledAgentAndARestartedServerInOrder() async throws {
        try await SharedGraphFaultTests.withCluster(3) { cluster in
            let history = OperationHistory()
            // Per client: 2 wants, a start and a complete per step after the first, then want, start, fail.
            let total = Self.clients * ((Self.steps - 1) * 4 + 2 + 3)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<Self.clients {
                    group.addTask { try await Self.client(client, cluster: cluster, history: history) }
                }
                group.addTask {
                    await history.waitUntil(count: total / 4)
                    await cluster.kill(1)
                    #expect(try await cluster.start(1))
                    await history.waitUntil(count: total / 2)
                    await cluster.server.stop()
                    try cluster.server.start()
                    await cluster.server.waitUntilAcceptingConnections()
                }
                try await group.waitForAll()
            }
            let operations = history.all
            #expect(operations.count == total, "\(total - operations.count) operations were not acknowledged")
            let events = try await cluster.storedEvents()
            let violations = history.violations(in: events)
            #expect(violations.isEmpty, "\(violations.prefix(20))")
            // Every agent ends with the same graph: each client's units completed, its last one failed.
            for agent in 0..<3 {
                let list = try await cluster.syncctl(agent, "list", "-o", "json")
                for client in 0..<Self.clients {
                    #expect(list.stdout.contains("\"c\(client)x\""), "agent \(agent): \(list)")
                }
            }
            print("history: \(operations.count) acknowledged operations, \(events.count) events, checked")
        }
    }
}
