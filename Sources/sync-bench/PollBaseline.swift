import SyncAgentHarness
import SyncClient
import SyncOS
import SyncProtocol

/// `poll_baseline_p50_us`: the wake-up latency of coder's `start`, which checks readiness once, then every second
/// on a fixed ticker, and starts the unit once it sees it ready. Measured against the same in-process agent as
/// the push figures, from the moment the `complete` is sent to the moment the poller's `start` returns.
///
/// Each round runs many pollers at once on units that wait for one dependency, each begun at a random phase of
/// the second; one `complete` then releases them all. A poller's latency depends only on its phase, so every
/// poller is an independent sample and a round costs about two seconds instead of one per sample.
struct PollBaseline: Benchmark {
    var group: String { "poll" }
    /// coder's `syncPollInterval`.
    static let interval: UInt64 = 1_000_000_000

    func run(_ context: BenchContext) async throws -> Measurement {
        let rounds = context.pick(full: 4, quick: 1)
        let pollers = context.pick(full: 100, quick: 50)
        let latencies = try await withAgent(in: TemporaryDirectory(prefix: "sbench"), journaled: false) { agent in
            var latencies: [Double] = []
            for round in 0..<rounds {
                latencies += try await measureRound(round, pollers: pollers, socketPath: agent.socketPath)
            }
            return latencies
        }
        let stats = Statistics(latencies)
        return Measurement(
            figures: ["poll_baseline_p50_us": stats.median, "poll_baseline_p99_us": stats.percentile(99)],
            samples: ["poll_us": latencies])
    }

    private func measureRound(_ round: Int, pollers: Int, socketPath: SocketPath) async throws -> [Double] {
        let setup = try await SyncClient.connect(to: socketPath, client: "bench-setup")
        defer { setup.close() }
        let dependency = "poll-dep-\(round)"
        let units = (0..<pollers).map { "poll-\(round)-\($0)" }
        for unit in units { try await setup.want(unit, dependsOn: [dependency]) }
        _ = try await setup.start(dependency)
        let epoch = Syscalls.nanos()
        // Every poller has made its first check before the complete, at a phase spread over the second.
        let completeAt = epoch + Self.interval + Self.interval / 10
        return try await withThrowingTaskGroup(of: UInt64.self) { group in
            for unit in units {
                let phase = UInt64.random(in: 0..<Self.interval)
                group.addTask { try await Self.poll(unit, from: epoch + phase, socketPath: socketPath) }
            }
            try await Self.sleep(until: completeAt)
            let sent = Syscalls.nanos()
            try await setup.complete(dependency)
            var latencies: [Double] = []
            for try await released in group { latencies.append(Double(released - sent) / 1000) }
            return latencies
        }
    }

    /// coder's `start` loop: dial, check once, then check every second until ready, then start.
    /// - Returns: when the start returned.
    private static func poll(_ unit: String, from begin: UInt64, socketPath: SocketPath) async throws -> UInt64 {
        try await sleep(until: begin)
        let client = try await SyncClient.connect(to: socketPath, client: "bench-poller")
        defer { client.close() }
        let ticker = Syscalls.nanos()
        var ready = try await client.status(unit).isReady
        var tick: UInt64 = 1
        while !ready {
            try await sleep(until: ticker + tick * interval)
            tick += 1
            ready = try await client.status(unit).isReady
        }
        _ = try await client.start(unit)
        return Syscalls.nanos()
    }

    private static func sleep(until deadline: UInt64) async throws {
        let now = Syscalls.nanos()
        if deadline > now { try await Task.sleep(for: .nanoseconds(Int64(deadline - now))) }
    }
}
