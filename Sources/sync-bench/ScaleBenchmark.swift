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
struct ScaleBenchmark: Benchmark {
    var group: String { "scale" }

    static let units = 10_000
    static let edges = 50_000

    func run(_ context: BenchContext) async throws -> Measurement {
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: false)
        defer { agent.stop() }
        let socket = try agent.connect()
        var random = SplitMix64(seed: 0x5eed)
        let name = { (i: Int) in "unit-\(i)" }

        var frames: [String] = []
        var edgeCount = 0
        for i in 0..<Self.units {
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
        guard edgeCount == Self.edges else { throw BenchError("scale graph has \(edgeCount) edges") }
        // unit-0 has no dependency and was started; complete it, then start and complete the first half in order.
        frames.append(FrameSocket.frame(Int64(frames.count + 1), .complete(unit: name(0))))
        for i in 1..<(Self.units / 2) {
            frames.append(
                FrameSocket.frame(Int64(frames.count + 1), .start(unit: name(i), wait: false, timeoutMs: nil)))
            frames.append(FrameSocket.frame(Int64(frames.count + 1), .complete(unit: name(i))))
        }
        for i in (Self.units / 2)..<(Self.units / 2 + 1000) {
            frames.append(
                FrameSocket.frame(Int64(frames.count + 1), .start(unit: name(i), wait: false, timeoutMs: nil)))
        }
        let built = try Pipeline.run(frames, on: socket)
        // Starts of units whose dependencies are not complete are refused (`not_ready`) and leave them pending.
        Syscalls.note(
            "  scale: \(Self.units) units, \(edgeCount) edges, \(built.replies - built.refused) of \(built.replies) "
                + "requests done (not ready: \(built.refused)) in \(built.nanos / 1_000_000) ms")

        var wants: [Double] = []
        let samples = context.pick(full: 2000, quick: 500)
        var id = Int64(frames.count + 10)
        for _ in 0..<samples {
            let dependent = Self.units / 2 + 1000 + Int(random.next() % UInt64(Self.units / 2 - 1000))
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
        return Measurement(
            figures: [
                "scale_units": Double(Self.units), "scale_edges": Double(Self.edges),
                "scale_want_p50_us": want.median, "scale_want_p99_us": want.percentile(99),
                "scale_list_ms": Statistics(lists).median, "scale_list_request_ms": Statistics(requests).median,
                "agent_rss_mb": ProcStats.residentMiB(agent.pid) ?? .nan,
                "agent_rss_peak_mb": ProcStats.peakResidentMiB(agent.pid) ?? .nan,
            ],
            samples: ["scale_want_us": wants])
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
