/// `throughput_ops_s`: `want`, `start`, `complete` per second over one connection, requests pipelined (up to 512
/// in flight), against a `sync-agent` process run `--ephemeral`; `throughput_journal_ops_s` the same with its
/// journal, where every change is written and synced (grouped) before it is acknowledged.
///
/// Unit `i` wants unit `i-1`, then starts (ready at once: the agent answers a connection's requests in order, so
/// `i-1` completed just before), then completes: three operations and four events per unit.
struct ThroughputBenchmark: Benchmark {
    var group: String { "throughput" }

    func run(_ context: BenchContext) async throws -> Measurement {
        let units = context.pick(full: 100_000, quick: 20_000)
        return Measurement(figures: [
            "throughput_ops_s": try measure(context, journal: false, units: units),
            "throughput_journal_ops_s": try measure(context, journal: true, units: units),
        ])
    }

    private func measure(_ context: BenchContext, journal: Bool, units: Int) throws -> Double {
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: journal)
        defer { agent.stop() }
        let socket = try agent.connect()
        try socket.expectOK(1, .start(unit: "tp-seed", wait: true, timeoutMs: nil))
        try socket.expectOK(2, .complete(unit: "tp-seed"))
        let frames = Self.chain("tp", after: "tp-seed", units: units)
        let (replies, refused, nanos) = try Pipeline.run(frames, on: socket)
        guard refused == 0 else { throw BenchError("throughput: the agent refused \(refused) of \(replies) requests") }
        return Double(replies) / (Double(nanos) / 1e9)
    }

    /// The frames of unit `PREFIX-i` wanting `PREFIX-(i-1)` (the first `seed`, completed already), then starting
    /// and completing, for `units` units; ids from 10 on.
    static func chain(_ prefix: String, after seed: String, units: Int) -> [String] {
        var frames: [String] = []
        frames.reserveCapacity(3 * units)
        var previous = seed
        for i in 0..<units {
            let unit = "\(prefix)-\(i)"
            let id = Int64(10 + 3 * i)
            frames.append(FrameSocket.frame(id, .want(unit: unit, dependsOn: [previous])))
            frames.append(FrameSocket.frame(id + 1, .start(unit: unit, wait: true, timeoutMs: nil)))
            frames.append(FrameSocket.frame(id + 2, .complete(unit: unit)))
            previous = unit
        }
        return frames
    }
}
