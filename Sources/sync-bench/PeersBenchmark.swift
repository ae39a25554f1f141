/// `peers_*`: the push-based reference of the field and us, side by side in one run, from a readiness signal to
/// the waiter's exit (`waitpid` of the released process), with the CPU each side used:
///
/// - `s6`: a service under `s6-supervise` with a `notification-fd` writes its newline; `s6-svwait -U` returns
///   (see ``S6Peer``).
/// - `complete`: the bench sends `complete` on a connection it keeps to a `sync-agent` with its journal (the
///   default); a `syncctl start` parked on that unit returns.
/// - `complete_ephemeral`: the same against an `--ephemeral` agent (no journal sync before the release).
/// - `notify`: a service under `syncctl run --ready notify` sends `READY=1`; a dependent's `syncctl start` returns
///   (the readiness group's notify sample, see ``ReadinessBenchmark``).
///
/// Every sample is set up fresh (its own s6 service directory, its own units), the waiter parked, then after a
/// random 40–140 ms the signal is given. The rows are interleaved (ABC ABC…, the first row rotating), so load that
/// comes and goes hits every row alike. The first 3 rounds are not recorded. Per row: p50 and p99 of the latency,
/// the medians of the waiter's CPU (its whole life: `wait4`'s rusage, children it reaped included) and of the
/// service side's CPU from just before the signal to the waiter reaped (`/proc/PID/task/*/schedstat`:
/// `s6-supervise`; the agent; the agent and `syncctl run`), and ours over s6 at p50 and p99.
///
/// The baseline rows are stated from the loops' documented intervals, not measured: a check every `interval`
/// sees a moment that falls at a random phase `interval × u` late, u uniform in [0, 1): p50 = interval / 2,
/// p99 = 0.99 × interval.
struct PeersBenchmark: Benchmark {
    var group: String { "peers" }

    /// The measured rows, in table order.
    enum Row: String, CaseIterable {
        case s6
        case complete
        case completeEphemeral = "complete_ephemeral"
        case notify
    }

    /// A baseline row: a loop that checks every `intervalMs`, as its documentation states.
    struct Baseline {
        var name: String
        var label: String
        var intervalMs: Double
        var source: String

        var signal: String { "a check every \(Report.number(intervalMs / 1000)) s (stated)" }
    }

    static let baselines = [
        Baseline(
            name: "sleeploop", label: "until CHECK; do sleep 1; done / wait-for-it", intervalMs: 1000,
            source: "a loop with sleep 1; wait-for-it.sh sleeps 1 s between attempts"),
        Baseline(
            name: "coder_poll", label: "coder's start (poll)", intervalMs: 1000,
            source: "coder's syncPollInterval of 1 s (measured on this agent: sync-bench --only poll)"),
        Baseline(
            name: "compose", label: "docker compose healthcheck", intervalMs: 30_000,
            source: "compose's healthcheck defaults: interval 30s, timeout 30s, retries 3, start_period 0s"),
    ]

    static let warmupRounds = 3

    func run(_ context: BenchContext) async throws -> Measurement {
        guard let s6 = S6Peer.locate() else {
            throw BenchError(
                "s6-supervise, s6-svwait and s6-svc are not on PATH; install Debian's s6 package (apt-get install s6)")
        }
        let samples = context.peersSamples ?? context.pick(full: 200, quick: 20)
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: true)
        defer { agent.stop() }
        let ephemeral = try SpawnedAgent(binary: context.agentBinary, journal: false)
        defer { ephemeral.stop() }
        let journaled = ReadinessBenchmark.Bench(context: context, agent: agent, setup: try agent.connect())
        let plain = ReadinessBenchmark.Bench(context: context, agent: ephemeral, setup: try ephemeral.connect())
        let root = try Syscalls.makeTemporaryDirectory(prefix: "speers")
        defer { S6Peer.removeTree(root) }
        var rows = Row.allCases
        if !journaled.supportsNotify() { rows.removeAll { $0 == .notify } }
        var collected: [Row: [ReleaseSample]] = [:]
        for round in 0..<(samples + Self.warmupRounds) {
            for offset in rows.indices {
                let row = rows[(round + offset) % rows.count]
                let sample: ReleaseSample
                switch row {
                case .s6: sample = try s6.measure(in: root, index: round, worker: context.benchBinary)
                case .complete: sample = try journaled.measureComplete(index: round)
                case .completeEphemeral: sample = try plain.measureComplete(index: round)
                case .notify:
                    let service = "svc-peer-\(round)"
                    let app = "app-peer-\(round)"
                    try journaled.setup.expectOK(1, .want(unit: app, dependsOn: [service]))
                    sample = try journaled.measureNotifyRelease(service: service, app: app, index: round)
                }
                if round >= Self.warmupRounds { collected[row, default: []].append(sample) }
            }
        }
        return Self.figures(collected)
    }

    /// The figures of the measured rows and the stated baselines.
    static func figures(_ collected: [Row: [ReleaseSample]]) -> Measurement {
        var result = Measurement()
        for (row, samples) in collected {
            let name = "peers_" + row.rawValue
            result.record(name, samples.map(\.latency))
            result.figures[name + "_waiter_cpu_ms"] = Statistics(samples.map(\.waiterCPU)).median
            result.figures[name + "_service_cpu_ms"] = Statistics(samples.map(\.serviceCPU)).median
        }
        if let s6p50 = result.figures["peers_s6_p50_ms"], let s6p99 = result.figures["peers_s6_p99_ms"] {
            for row in Row.allCases where row != .s6 {
                let name = "peers_" + row.rawValue
                guard let p50 = result.figures[name + "_p50_ms"], let p99 = result.figures[name + "_p99_ms"] else {
                    continue
                }
                result.figures[name + "_vs_s6_p50"] = p50 / s6p50
                result.figures[name + "_vs_s6_p99"] = p99 / s6p99
            }
        }
        for baseline in baselines {
            result.figures["peers_\(baseline.name)_p50_ms"] = baseline.intervalMs / 2
            result.figures["peers_\(baseline.name)_p99_ms"] = baseline.intervalMs * 0.99
        }
        return result
    }
}

/// One release: latency (ms) from the signal to the waiter reaped, the CPU (ms) of the waiter over its whole life
/// and of the service side over the release, and (readiness group) the signal's moment since the check began.
struct ReleaseSample {
    var latency: Double
    var sinceStart: Double = 0
    var waiterCPU: Double
    var serviceCPU: Double
}

extension ReadinessBenchmark.Bench {
    /// The `complete` sample: `svc` started, `syncctl start app` parked on it; the bench sends `complete svc` on
    /// its kept connection and reads the clock just before; again when `waitpid` returns the `start`.
    func measureComplete(index: Int) throws(BenchError) -> ReleaseSample {
        let service = "svc-complete-\(index)"
        let app = "app-complete-\(index)"
        try setup.expectOK(1, .want(unit: app, dependsOn: [service]))
        try setup.expectOK(2, .start(unit: service, wait: true, timeoutMs: nil))
        let start = try parkedStart(app)
        let frame = FrameSocket.frame(3, .complete(unit: service))
        Syscalls.sleep(seconds: Double.random(in: 0.04...0.14))
        let before = ProcStats.cpuNanos(agent.pid)
        let sent = Syscalls.nanos()
        try setup.send(frame)
        let (status, waiterCPU) = start.finishWithUsage()
        let released = Syscalls.nanos()
        let after = ProcStats.cpuNanos(agent.pid)
        let reply = try setup.readFrame()
        guard status == 0, FrameSocket.kind(of: reply) == .ok else {
            throw BenchError(
                "complete sample \(index): start exited \(status), complete: \(String(decoding: reply, as: UTF8.self))"
            )
        }
        return ReleaseSample(
            latency: Double(released - sent) / 1e6, waiterCPU: Double(waiterCPU) / 1e6,
            serviceCPU: max(0, Double(after) - Double(before)) / 1e6)
    }
}
