import SyncAgentHarness
import SyncClient
import SyncOS
import SyncProtocol

/// `wake_p50_us`, `wake_p99_us`: from the moment a `complete` is sent to the moment the `start` parked on it
/// returns in its task, with both clients (`SyncClient`, one connection each) inside the bench process. The agent
/// runs in-process too, first ephemeral (the figures with goals), then with its journal (the agent's default;
/// every change is synced to disk before the release leaves), and once more as a separate `sync-agent` process.
/// `fdatasync_p50_us` is the disk's own latency for one journal-sized append and sync, measured just after.
struct WakeBenchmark: Benchmark {
    var group: String { "wake" }

    func run(_ context: BenchContext) async throws -> Measurement {
        let samples = context.pick(full: 2000, quick: 300)
        var result = Measurement()

        let push = try await withAgent(in: TemporaryDirectory(prefix: "sbench"), journaled: false) {
            try await Self.measure(socketPath: $0.socketPath, samples: samples)
        }
        let stats = Statistics(push)
        result.figures["wake_p50_us"] = stats.median
        result.figures["wake_p99_us"] = stats.percentile(99)
        result.samples["push_us"] = push

        let synced = try await withAgent(in: TemporaryDirectory(prefix: "sbench"), journaled: true) {
            try await Self.measure(socketPath: $0.socketPath, samples: samples / 2)
        }
        let syncedStats = Statistics(synced)
        result.figures["wake_journal_p50_us"] = syncedStats.median
        result.figures["wake_journal_p99_us"] = syncedStats.percentile(99)
        result.samples["push_journal_us"] = synced

        let disk = Statistics(try DiskProbe.fdatasyncLatencies(count: context.pick(full: 200, quick: 50)))
        result.figures["fdatasync_p50_us"] = disk.median
        result.figures["fdatasync_p99_us"] = disk.percentile(99)

        let process = try SpawnedAgent(binary: context.agentBinary, journal: false)
        let separate = try await Self.measure(
            socketPath: SocketPath(path: process.socketPath, source: .flag), samples: samples / 2)
        process.stop()
        let separateStats = Statistics(separate)
        result.figures["wake_process_p50_us"] = separateStats.median
        result.figures["wake_process_p99_us"] = separateStats.percentile(99)
        result.samples["push_process_us"] = separate
        return result
    }

    /// Measures `samples` wake-ups (after a few unrecorded ones), one at a time. - Returns: latencies in µs.
    /// - Parameter completerPath: the agent the completer talks to (another agent on the same shared store), if not
    ///   the waiter's.
    static func measure(
        socketPath: SocketPath, samples: Int, warmup: Int = 50, completerPath: SocketPath? = nil
    ) async throws -> [Double] {
        let waiter = try await SyncClient.connect(to: socketPath, client: "bench-waiter")
        let completer = try await SyncClient.connect(to: completerPath ?? socketPath, client: "bench-completer")
        defer {
            waiter.close()
            completer.close()
        }
        var latencies: [Double] = []
        latencies.reserveCapacity(samples)
        for i in 0..<(warmup + samples) {
            let dependency = "wake-dep-\(i)"
            let unit = "wake-\(i)"
            try await completer.want(unit, dependsOn: [dependency])
            _ = try await completer.start(dependency)
            let parked = Signal()
            let start = Task { () throws -> UInt64 in
                _ = try await waiter.start(unit) { _ in parked.fire() }
                return Syscalls.nanos()
            }
            await parked.wait()
            let sent = Syscalls.nanos()
            try await completer.complete(dependency)
            let released = try await start.value
            if i >= warmup { latencies.append(Double(released - sent) / 1000) }
        }
        return latencies
    }
}
