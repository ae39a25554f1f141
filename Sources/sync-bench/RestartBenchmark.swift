@preconcurrency import Glibc

/// `restart_1m_s`: an agent whose journal holds 1,000,000 events, restarted, until it accepts connections again.
///
/// A `sync-agent` process with its journal builds the tenfold graph of ``ScaleBenchmark/tenfold`` (100,000 units,
/// 500,000 edges) over one pipelined connection, then `start`s and `complete`s completed units in turn until the
/// journal holds at least 1,000,000 event lines (counted in the file). The graph's units and edges are 600,000, so
/// the journal is below the compaction threshold (four records per unit and edge) and the restart replays every
/// line. Then the agent is stopped with SIGTERM and started again on the same journal; the time is from the spawn
/// until a connection is accepted (polled every millisecond), then one `ping` answered.
///
/// - `restart_1m_events`: the event lines the journal held.
/// - `restart_1m_journal_mb`: its size.
/// - `restart_1m_rss_mb`: the restarted agent's VmRSS once it serves.
struct RestartBenchmark: Benchmark {
    var group: String { "scale10" }

    static let events = 1_000_000

    func run(_ context: BenchContext) async throws -> Measurement {
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: true)
        defer { agent.stop() }
        let events = try fill(agent)
        let size = Double(Self.bytes(of: agent.directory + "/journal")) / 1_048_576
        // Up to two minutes: a restart that misses its goal is still measured.
        let seconds = try agent.restartTime(within: 120)
        let began = Syscalls.nanos()
        try agent.connect().expectOK(1, .ping)
        let ping = Double(Syscalls.nanos() - began) / 1e9
        return Measurement(figures: [
            "restart_1m_s": seconds + ping, "restart_1m_events": Double(events), "restart_1m_journal_mb": size,
            "restart_1m_rss_mb": ProcStats.residentMiB(agent.pid) ?? .nan,
        ])
    }

    /// Builds the graph and pads the journal to 1,000,000 events, over a connection closed before the restart.
    /// - Returns: the event lines the journal holds.
    private func fill(_ agent: SpawnedAgent) throws -> Int {
        let socket = try agent.connect()
        let units = ScaleBenchmark.tenfold.units
        var random = SplitMix64(seed: 0x5eed)
        let (frames, _) = ScaleBenchmark.buildFrames(units: units, random: &random)
        let built = try Pipeline.run(frames, on: socket)
        var id = Int64(frames.count + 1)
        let journal = agent.directory + "/journal"
        var events = try Self.lines(in: journal) - 1
        var next = 1
        while events < Self.events {
            // unit-1 … unit-(units/2 - 1) are completed: start and complete them again, one event each.
            var padding: [String] = []
            for _ in 0..<((Self.events - events + 1) / 2) {
                let unit = "unit-\(next)"
                next = next % (units / 2 - 1) + 1
                padding.append(FrameSocket.frame(id, .start(unit: unit, wait: false, timeoutMs: nil)))
                padding.append(FrameSocket.frame(id + 1, .complete(unit: unit)))
                id += 2
            }
            let padded = try Pipeline.run(padding, on: socket)
            guard padded.refused == 0 else { throw BenchError("restart: \(padded.refused) padding requests refused") }
            events = try Self.lines(in: journal) - 1
        }
        Syscalls.note("  restart: built in \(built.nanos / 1_000_000) ms; journal \(events) events")
        return events
    }

    /// Newlines in the file at `path`.
    static func lines(in path: String) throws(BenchError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BenchError.errno("open \(path)") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var count = 0
        while true {
            let read = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { return count }
            for index in 0..<read where buffer[index] == 10 { count += 1 }
        }
    }

    static func bytes(of path: String) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }
}
