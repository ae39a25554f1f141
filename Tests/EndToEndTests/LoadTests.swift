import Foundation
import SyncClient
import SyncCore
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

/// Many clients at once against the real agent (with its journal): each runs rounds of want/start/complete on units
/// of its own, each unit waiting for its neighbour's unit of the round before, so starts park and are woken by
/// other clients. (One cross-dependency per unit: with two, every unit's ancestry spans all earlier rounds, and the
/// graph's cycle check, which walks the whole ancestry of a new dependency, makes the run quadratic: see
/// docs/RELIABILITY.md.)
/// Every request succeeds, the final graph is exactly what was asked for and survives a restart, no wait is left
/// behind, and the agent holds no more file descriptors afterwards than before.
///
/// CI runs a small version. `scripts/load-test.sh` runs the full one (1,000 clients × 100 rounds) with
/// `SYNC_LOAD_CLIENTS`, `SYNC_LOAD_ROUNDS` and `SYNC_LOAD_TIMEOUT` (seconds), and prints the `LOAD` figures.
@Suite("Load")
struct LoadTests {
    private static func setting(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback
    }

    private let clients = setting("SYNC_LOAD_CLIENTS", 25)
    private let rounds = setting("SYNC_LOAD_ROUNDS", 10)
    private let timeout = setting("SYNC_LOAD_TIMEOUT", 120)

    private func unit(_ client: Int, _ round: Int) -> String { "c\(client)-r\(round)" }

    /// One client's work: `rounds` × (want, start, complete).
    private func work(_ client: Int, _ socket: SocketPath) async throws -> Int {
        let connection = try await SyncClient.connect(to: socket, client: "load-\(client)")
        defer { connection.close() }
        var requests = 0
        for round in 0..<rounds {
            let name = unit(client, round)
            // Each unit waits for the neighbour's previous one: starts park and are woken by another client.
            let dependency = round == 0 ? "load-seed" : unit((client + 1) % clients, round - 1)
            try await connection.want(name, dependsOn: [dependency])
            _ = try await connection.start(name)
            try await connection.complete(name)
            requests += 3
        }
        return requests
    }

    private func report(_ name: String, _ value: Any) {
        print("LOAD \(name)=\(value)")
    }

    @Test func manyClientsAtOnceAllSucceedAndLeaveAConsistentGraph() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let arguments = ["--socket-path", directory.socket, "--state-file", directory.file("agent.journal")]
        let agent = try RunningProcess(Products.path("sync-agent"), arguments + ["--log-level", "warning"])
        defer { agent.signal(SIGKILL) }
        let socket = SocketPath(path: directory.socket, source: .flag)
        #expect(await eventually { (try? await SyncClient.connect(to: socket).ping()) != nil })
        let control = try await SyncClient.connect(to: socket, client: "load-control")
        _ = try await control.start("load-seed")
        try await control.complete("load-seed")
        let descriptorsBefore = Fault.openDescriptors(agent.pid)

        let clock = ContinuousClock()
        let started = clock.now
        let budget = Duration.seconds(timeout)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0..<clients {
                group.addTask { try await work(client, socket) }
            }
            group.addTask {
                try await Task.sleep(for: budget)
                throw CancellationError()
            }
            var requests = 0
            for _ in 0..<clients { requests += try await group.next() ?? 0 }
            group.cancelAll()
            return requests
        }
        let elapsed = clock.now - started
        #expect(total == clients * rounds * 3)

        // Consistent: every unit completed, every edge there, no wait left.
        let snapshot = try await control.snapshot()
        let expectedUnits = clients * rounds + 1
        #expect(snapshot.units.count == expectedUnits)
        #expect(snapshot.units.allSatisfy { $0.status == .completed })
        #expect(snapshot.units.allSatisfy { $0.waiters == 0 })
        #expect(snapshot.edges.count == clients * rounds)
        #expect(Set(snapshot.edges.map(\.unit)).count == clients * rounds)
        control.close()

        // No descriptor leaked: once the clients are gone the agent holds what it held before.
        let settled = await eventually { Fault.openDescriptors(agent.pid) <= descriptorsBefore }
        let descriptorsAfter = Fault.openDescriptors(agent.pid)
        #expect(settled, "before \(descriptorsBefore), after \(descriptorsAfter)")
        let peakMemory =
            (try? String(contentsOfFile: "/proc/\(agent.pid)/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map(String.init) ?? "?"

        // Durable: a restart from the journal gives the same graph.
        agent.signal(SIGTERM)
        #expect(await agent.finish().status == 0)
        let again = try RunningProcess(Products.path("sync-agent"), arguments)
        defer { again.signal(SIGTERM) }
        await again.waitForOutput(containing: "agent listening")
        let checker = try await SyncClient.connect(to: socket, client: "load-check")
        let restored = try await checker.snapshot()
        #expect(restored.units.map(\.name) == snapshot.units.map(\.name))
        #expect(restored.units.map(\.status) == snapshot.units.map(\.status))
        #expect(restored.edges == snapshot.edges)
        #expect(restored.sequence == snapshot.sequence)
        checker.close()

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        report("clients", clients)
        report("rounds", rounds)
        report("requests", total)
        report("units", expectedUnits - 1)
        report("events", snapshot.sequence)
        // Every event is a registration, an edge, a status change (started, completed) or a wait's begin and end.
        report("starts_that_waited", (Int(snapshot.sequence) - 3 * expectedUnits - snapshot.edges.count) / 2)
        report("seconds", String(format: "%.2f", seconds))
        report("requests_per_second", Int(Double(total) / seconds))
        report("fds_before", descriptorsBefore)
        report("fds_after", descriptorsAfter)
        report("agent_peak_rss", peakMemory.replacingOccurrences(of: "\t", with: " "))
    }
}
