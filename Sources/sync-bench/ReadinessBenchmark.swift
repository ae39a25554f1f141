@preconcurrency import Glibc

/// `readiness_*`: from the moment a service becomes ready to the moment its dependent's `syncctl start` process
/// exits, released. Everything is real: a `sync-agent` process with its journal (the default), the built `syncctl`
/// for both sides. Unit `app` wants `svc`; `syncctl ready svc --when CHECK` (or `syncctl run svc --ready notify --
/// WORKER`) waits for the service; `syncctl start app` is parked on `svc` (its "waiting" line read). After a random
/// 40–140 ms, so the probes run at their steady cadence, the bench makes the service ready (creates the file, calls
/// `listen()`, starts the HTTP server, or tells the worker to send `READY=1`) and reads the clock; again when
/// `waitpid` returns the `start` process. One sample at a time.
///
/// Side by side in the same run: a wait-for-it style loop (bash: `/dev/tcp` probe, `sleep 1`, then `syncctl
/// complete`) on the same tcp service, made ready a random 0.05–1.05 s after the loop began; and a compose-style
/// healthcheck, computed rather than waited for: its first check runs one interval (30 s by default) after the
/// service starts, so a service ready r seconds after its start is seen 30 − r seconds late.
///
/// `readiness_cpu_pct`: the CPU of one `syncctl ready` probing a closed port (refused at once) for 60 s (quick: 3 s;
/// `--readiness-cpu-seconds`), after 0.5 s of warm-up: all its threads' run time from `/proc/PID/task/*/schedstat`
/// as a share of one core; `readiness_cpu_agent_pct` the agent's over the same window.
struct ReadinessBenchmark: Benchmark {
    var group: String { "readiness" }

    /// Compose's default healthcheck interval (`interval: 30s`).
    static let composeIntervalMs = 30_000.0

    func run(_ context: BenchContext) async throws -> Measurement {
        let samples = context.pick(full: 60, quick: 10)
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: true)
        defer { agent.stop() }
        let bench = Bench(context: context, agent: agent, setup: try agent.connect())
        var result = Measurement()
        var sinceStart: [Double] = []
        var kinds = ["file", "tcp", "http"]
        if bench.supportsNotify() { kinds.insert("notify", at: 0) }
        for kind in kinds {
            var latencies: [Double] = []
            for i in 0..<(samples + 3) {
                let sample = try bench.measure(kind, index: i)
                guard i >= 3 else { continue }
                latencies.append(sample.latency)
                if kind == "tcp" { sinceStart.append(sample.sinceStart) }
            }
            result.record("readiness_\(kind)", latencies)
        }
        var loop: [Double] = []
        for i in 0..<context.pick(full: 50, quick: 3) { loop.append(try bench.measureWaitForIt(index: i)) }
        result.record("readiness_waitforit", loop)
        let compose = sinceStart.map { max(0, Self.composeIntervalMs - $0) }
        result.figures["readiness_compose_p50_ms"] = Statistics(compose).median
        let seconds = context.readinessCPUSeconds ?? context.pick(full: 60, quick: 3)
        let cpu = try bench.probingCPU(seconds: seconds)
        result.figures["readiness_cpu_pct"] = cpu.probe
        result.figures["readiness_cpu_agent_pct"] = cpu.agent
        return result
    }

    /// The agent, a connection to declare units on, and the steps of one sample.
    struct Bench {
        let context: BenchContext
        let agent: SpawnedAgent
        let setup: FrameSocket

        var environment: [String] { ["SYNC_AGENT_SOCKET_PATH=" + agent.socketPath] }

        /// One sample: latency (ms) from ready to the dependent's release, and ready time since the check began.
        func measure(_ kind: String, index: Int) throws(BenchError) -> (latency: Double, sinceStart: Double) {
            let service = "svc-\(kind)-\(index)"
            let app = "app-\(kind)-\(index)"
            try setup.expectOK(1, .want(unit: app, dependsOn: [service]))
            if kind == "notify" { return try measureNotify(service: service, app: app, index: index) }
            let ready: ReadinessService =
                kind == "file"
                ? FileService(path: agent.directory + "/ready-\(index)") : try PortService(http: kind == "http")
            defer { ready.close() }
            let waiter = try WatchedChild(
                context.syncctlBinary, ["ready", service, "--when", ready.check, "--timeout", "60s"],
                environment: environment)
            try waiter.awaitOutput("waiting until ready")
            let start = try parkedStart(app)
            Syscalls.sleep(seconds: Double.random(in: 0.04...0.14))
            let readyAt = ready.becomeReady()
            let status = start.finish()
            let released = Syscalls.nanos()
            let waited = waiter.finish()
            guard status == 0, waited == 0 else {
                throw BenchError("\(kind) sample \(index): start exited \(status), ready \(waited): \(waiter.text)")
            }
            return (Double(released - readyAt) / 1e6, Double(readyAt - waiter.started) / 1e6)
        }

        /// `syncctl start app`, returned once it printed that it waits (it is parked on the agent).
        func parkedStart(_ app: String) throws(BenchError) -> WatchedChild {
            let start = try WatchedChild(context.syncctlBinary, ["start", app], environment: environment)
            try start.awaitOutput("is waiting for dependencies")
            return start
        }

        /// The wait-for-it loop on a tcp service: latency (ms) from `listen()` to the dependent's release.
        func measureWaitForIt(index: Int) throws(BenchError) -> Double {
            let service = "svc-loop-\(index)"
            let app = "app-loop-\(index)"
            try setup.expectOK(1, .want(unit: app, dependsOn: [service]))
            try setup.expectOK(2, .start(unit: service, wait: true, timeoutMs: nil))
            let port = try PortService(http: false)
            defer { port.close() }
            let script =
                "until (exec 3<>/dev/tcp/127.0.0.1/$0) 2>/dev/null; do sleep 1; done; exec \"$1\" complete \"$2\""
            let loop = try WatchedChild(
                "/bin/bash", ["-c", script, String(port.port), context.syncctlBinary, service],
                environment: environment)
            let start = try parkedStart(app)
            let began = Int64(loop.started)
            let target = began + Int64(Double.random(in: 0.05...1.05) * 1e9)
            Syscalls.sleep(seconds: max(0, Double(target - Int64(Syscalls.nanos())) / 1e9))
            let readyAt = port.becomeReady()
            let status = start.finish()
            let released = Syscalls.nanos()
            guard status == 0, loop.finish() == 0 else { throw BenchError("wait-for-it sample \(index) failed") }
            return Double(released - readyAt) / 1e6
        }

        /// CPU shares (% of one core) of a `syncctl ready` probing a closed port, and of the agent, over `seconds`.
        func probingCPU(seconds: Double) throws(BenchError) -> (probe: Double, agent: Double) {
            let port = try PortService(http: false)
            defer { port.close() }
            let waiter = try WatchedChild(
                context.syncctlBinary, ["ready", "svc-cpu", "--when", port.check, "--timeout", "0"],
                environment: environment)
            defer {
                kill(waiter.pid, SIGKILL)
                _ = waiter.finish()
            }
            try waiter.awaitOutput("waiting until ready")
            Syscalls.sleep(seconds: 0.5)
            let probeBefore = ProcStats.cpuNanos(waiter.pid)
            let agentBefore = ProcStats.cpuNanos(agent.pid)
            let began = Syscalls.nanos()
            Syscalls.sleep(seconds: seconds)
            let elapsed = Double(Syscalls.nanos() - began)
            let probe = Double(ProcStats.cpuNanos(waiter.pid) - probeBefore)
            let agentUsed = Double(ProcStats.cpuNanos(agent.pid) - agentBefore)
            return (probe / elapsed * 100, agentUsed / elapsed * 100)
        }
    }
}

extension Measurement {
    /// `NAME_p50_ms` and `NAME_p99_ms` of `latencies`, and the samples as `NAME_ms`.
    mutating func record(_ name: String, _ latencies: [Double]) {
        let stats = Statistics(latencies)
        figures[name + "_p50_ms"] = stats.median
        figures[name + "_p99_ms"] = stats.percentile(99)
        samples[name + "_ms"] = latencies
    }
}
