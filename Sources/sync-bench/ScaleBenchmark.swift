import SyncProtocol

/// The agent with a large graph, as a `sync-agent` process run `--ephemeral`: 10,000 units and exactly 50,000
/// edges, a random DAG (unit `i` depends on five distinct earlier units; the first five have fewer and units 6–20
/// one more), built over one pipelined connection. Then the first half is started and completed in order, and the
/// next 1,000 are started where ready (about half are: the rest stay pending), so statuses are mixed.
///
/// - `scale_want_p99_us`: round trips of single `want`s, one at a time, each adding a new edge from a pending unit
///   to a random earlier unit (the agent checks the whole reachable part of the graph for a cycle each time).
/// - `scale_list_ms`: the wall time of the `syncctl list -o json` process, output read through a pipe.
/// - `agent_rss_mb`: the agent's VmRSS after all that.
///
/// ``tenfold`` (group `scale10`) is the same at 100,000 units and 500,000 edges (the next 10,000 started), with its
/// figures named `scale10_…` (`scale10_agent_rss_mb` for the RSS).
struct ScaleBenchmark: Benchmark {
    var group: String { prefix }

    /// Units of the graph; edges are five times as many.
    var units = 10_000
    /// The group name and the prefix of the figures.
    var prefix = "scale"
    var edges: Int { 5 * units }

    /// 100,000 units and 500,000 edges.
    static let tenfold = ScaleBenchmark(units: 100_000, prefix: "scale10")

    /// The requests that build the graph, and how many edges they add: unit `i` wants five distinct earlier units
    /// (the first five fewer, units 6–20 one more); the first half is then started and completed in order, and the
    /// next tenth started where ready.
    static func buildFrames(units: Int, random: inout SplitMix64) -> (frames: [String], edges: Int) {
        let name = { (i: Int) in "unit-\(i)" }
        var frames: [String] = []
        var edgeCount = 0
        for i in 0..<units {
            let count = min(i, 5 + (i >= 6 && i <= 20 ? 1 : 0))
            var dependencies = Set<Int>()
            while dependencies.count < count { dependencies.insert(Int(random.next() % UInt64(i))) }
            edgeCount += count
            let body: Request.Body =
                count == 0
                ? .start(unit: name(i), wait: false, timeoutMs: nil)
                : .want(unit: name(i), dependsOn: dependencies.sorted().map(name))
            frames.append(FrameSocket.frame(Int64(frames.count + 1), body))
        }
        // unit-0 has no dependency and was started; complete it, then start and complete the first half in order.
        frames.append(FrameSocket.frame(Int64(frames.count + 1), .complete(unit: name(0))))
        for i in 1..<(units / 2) {
            frames.append(
                FrameSocket.frame(Int64(frames.count + 1), .start(unit: name(i), wait: false, timeoutMs: nil)))
            frames.append(FrameSocket.frame(Int64(frames.count + 1), .complete(unit: name(i))))
        }
        for i in (units / 2)..<(units / 2 + units / 10) {
            frames.append(
                FrameSocket.frame(Int64(frames.count + 1), .start(unit: name(i), wait: false, timeoutMs: nil)))
        }
        return (frames, edgeCount)
    }

    func run(_ context: BenchContext) async throws -> Measurement {
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: false)
        defer { agent.stop() }
        let socket = try agent.connect()
        var random = SplitMix64(seed: 0x5eed)
        let name = { (i: Int) in "unit-\(i)" }
        let (frames, edgeCount) = Self.buildFrames(units: units, random: &random)
        guard edgeCount == edges else { throw BenchError("scale graph has \(edgeCount) edges") }
        let built = try Pipeline.run(frames, on: socket)
        // Starts of units whose dependencies are not complete are refused (`not_ready`) and leave them pending.
        Syscalls.note(
            "  \(prefix): \(units) units, \(edgeCount) edges, \(built.replies - built.refused) of \(built.replies) "
                + "requests done (not ready: \(built.refused)) in \(built.nanos / 1_000_000) ms")

        var wants: [Double] = []
        let samples = context.pick(full: 2000, quick: 500)
        var id = Int64(frames.count + 10)
        for _ in 0..<samples {
            let started = units / 2 + units / 10
            let dependent = started + Int(random.next() % UInt64(units - started))
            let dependency = Int(random.next() % UInt64(dependent))
            let began = Syscalls.nanos()
            let reply = try socket.call(id, .want(unit: name(dependent), dependsOn: [name(dependency)]))
            wants.append(Double(Syscalls.nanos() - began) / 1000)
            guard FrameSocket.kind(of: reply) == .ok else {
                throw BenchError("scale want refused: \(String(decoding: reply, as: UTF8.self))")
            }
            id += 1
        }

        var lists: [Double] = []
        var requests: [Double] = []
        for _ in 0..<context.pick(full: 7, quick: 3) {
            let began = Syscalls.nanos()
            _ = try socket.call(id, .list)
            requests.append(Double(Syscalls.nanos() - began) / 1e6)
            id += 1
            let run = try Spawn.timedRun(
                context.syncctlBinary, ["list", "-o", "json"],
                environment: ["SYNC_AGENT_SOCKET_PATH=" + agent.socketPath])
            guard run.status == 0 else { throw BenchError("syncctl list -o json exited with \(run.status)") }
            lists.append(Double(run.nanos) / 1e6)
        }
        let want = Statistics(wants)
        // The 10,000-unit figures keep their names; the RSS of the tenfold graph is `scale10_agent_rss_mb`.
        let rss = prefix == "scale" ? "agent" : prefix + "_agent"
        return Measurement(
            figures: [
                "\(prefix)_units": Double(units), "\(prefix)_edges": Double(edges),
                "\(prefix)_want_p50_us": want.median, "\(prefix)_want_p99_us": want.percentile(99),
                "\(prefix)_list_ms": Statistics(lists).median,
                "\(prefix)_list_request_ms": Statistics(requests).median,
                "\(rss)_rss_mb": ProcStats.residentMiB(agent.pid) ?? .nan,
                "\(rss)_rss_peak_mb": ProcStats.peakResidentMiB(agent.pid) ?? .nan,
            ],
            samples: ["\(prefix)_want_us": wants])
    }
}

/// A small, seeded random number generator, so every run builds the same graph.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
