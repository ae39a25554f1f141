@preconcurrency import Glibc
import SyncOS
import Synchronization

/// Agents sharing one graph through PostgreSQL (`sync-agent --store … --workspace …`), beside the same measurement
/// on one agent with its journal file, in the same run:
///
/// - `shared_wake_p50_ms`, `shared_wake_p99_ms`: a `complete` sent to agent A until the `start` parked on agent B
///   returns (B is woken by A's `NOTIFY` and, having a start parked, opens a change at once, which reads A's events
///   under the lock and starts the unit: a second commit).
///   `shared_wake_journal_*`: both clients on one agent process with its journal.
/// - `shared_changes_s`: changes per second when 3 agents write at once, each with one connection pipelining
///   `want`, `start`, `complete` of its own units (up to 512 requests in flight; an agent puts the requests that
///   arrive while a change runs into its next change, so the figure is that of changes grouped per commit, as under
///   a real burst). `shared_journal_changes_s`: the same 3 connections on one agent with its journal.
///
/// The server is the one `--store URL` names (each run takes fresh workspaces, `sync-bench-PID-N`), else a private
/// one this run starts (``BenchPostgres``), with PostgreSQL's durability settings.
struct SharedBenchmark: Benchmark {
    var group: String { "shared" }

    private static let runs = Mutex(0)

    func run(_ context: BenchContext) async throws -> Measurement {
        let server = try context.store.map(BenchPostgres.init(url:)) ?? BenchPostgres()
        defer { server.stop() }
        let run = Self.runs.withLock { runs in
            runs += 1
            return runs
        }
        let workspace = "sync-bench-\(getpid())-\(run)"
        var result = Measurement()
        let samples = context.pick(full: 1000, quick: 100)

        let (first, second) = try (
            SpawnedAgent(binary: context.agentBinary, store: (server.url, workspace + "-wake")),
            SpawnedAgent(binary: context.agentBinary, store: (server.url, workspace + "-wake"))
        )
        let shared = try await WakeBenchmark.measure(
            socketPath: SocketPath(path: second.socketPath, source: .flag), samples: samples,
            completerPath: SocketPath(path: first.socketPath, source: .flag))
        first.stop()
        second.stop()
        let journal = try SpawnedAgent(binary: context.agentBinary, journal: true)
        let local = try await WakeBenchmark.measure(
            socketPath: SocketPath(path: journal.socketPath, source: .flag), samples: samples)
        journal.stop()
        for (name, latencies) in [("shared_wake", shared), ("shared_wake_journal", local)] {
            let stats = Statistics(latencies.map { $0 / 1000 })
            result.figures[name + "_p50_ms"] = stats.median
            result.figures[name + "_p99_ms"] = stats.percentile(99)
            result.samples[name + "_us"] = latencies
        }

        let units = context.pick(full: 10_000, quick: 1_000)
        let writers = try (0..<3).map { _ in
            try SpawnedAgent(binary: context.agentBinary, store: (server.url, workspace + "-changes"))
        }
        result.figures["shared_changes_s"] = try await Self.changesPerSecond(
            writers.map(\.socketPath), units: units)
        for writer in writers { writer.stop() }
        let one = try SpawnedAgent(binary: context.agentBinary, journal: true)
        result.figures["shared_journal_changes_s"] = try await Self.changesPerSecond(
            Array(repeating: one.socketPath, count: 3), units: units)
        one.stop()
        return result
    }

    /// One connection per socket, each on its own thread sending `units` × (`want`, `start`, `complete`) of its own
    /// units, all at once. - Returns: every reply over the time from the first send to the last reply.
    static func changesPerSecond(_ sockets: [String], units: Int) async throws -> Double {
        let outcomes = Outcomes()
        let done = Signal()
        for (index, path) in sockets.enumerated() {
            startThread {
                let outcome = Result { () throws(BenchError) -> (replies: Int, began: UInt64, ended: UInt64) in
                    let socket = try FrameSocket(path: path)
                    try socket.hello()
                    let seed = "ch\(index)-seed"
                    let frames =
                        [
                            FrameSocket.frame(1, .start(unit: seed, wait: true, timeoutMs: nil)),
                            FrameSocket.frame(2, .complete(unit: seed)),
                        ] + ThroughputBenchmark.chain("ch\(index)", after: seed, units: units)
                    let began = Syscalls.nanos()
                    let (replies, refused, nanos) = try Pipeline.run(frames, on: socket)
                    guard refused == 0 else {
                        throw BenchError("shared changes: the agent refused \(refused) of \(replies) requests")
                    }
                    return (replies, began, began + nanos)
                }
                let count = outcomes.all.withLock { outcomes in
                    outcomes.append(outcome)
                    return outcomes.count
                }
                if count == sockets.count { done.fire() }
            }
        }
        await done.wait()
        let results = try outcomes.all.withLock { try $0.map { try $0.get() } }
        let began = results.map(\.began).min() ?? 0
        let ended = results.map(\.ended).max() ?? 0
        return Double(results.map(\.replies).reduce(0, +)) / (Double(ended - began) / 1e9)
    }
}

/// What each writer thread of ``SharedBenchmark/changesPerSecond(_:units:)`` measured.
private final class Outcomes: Sendable {
    let all = Mutex<[Result<(replies: Int, began: UInt64, ended: UInt64), BenchError>]>([])
}
