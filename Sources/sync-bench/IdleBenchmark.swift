/// `idle_cpu_pct`: the CPU a `sync-agent` process (default journal) uses while nothing happens, with 10 `watch`-style
/// subscribers and 100 `start`s parked with `syncctl`'s default 5-minute timeout, each on its own connection:
/// user + system time from `/proc/PID/stat` over 10 s, as a share of one core. `idle_wakeups_s` counts the
/// context switches of all the agent's threads over the same window.
struct IdleBenchmark: Benchmark {
    var group: String { "idle" }

    func run(_ context: BenchContext) async throws -> Measurement {
        let seconds = context.pick(full: 10.0, quick: 3.0)
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: true)
        defer { agent.stop() }
        var connections: [FrameSocket] = []
        for _ in 0..<10 {
            let socket = try agent.connect()
            try socket.send(FrameSocket.frame(1, .subscribe(since: nil, instance: nil)))
            guard FrameSocket.kind(of: try socket.readFrame()) == .push else { throw BenchError("subscribe failed") }
            connections.append(socket)
        }
        for i in 0..<100 {
            let socket = try agent.connect()
            try socket.expectOK(1, .want(unit: "idle-\(i)", dependsOn: ["never"]))
            try socket.send(FrameSocket.frame(2, .start(unit: "idle-\(i)", wait: true, timeoutMs: 300_000)))
            guard FrameSocket.kind(of: try socket.readFrame()) == .push else { throw BenchError("start did not park") }
            connections.append(socket)
        }
        // The subscribers' event pushes of the setup have been sent; let the agent settle.
        Syscalls.sleep(seconds: context.pick(full: 1.0, quick: 0.3))
        let cpu = agent.cpuSeconds
        let switches = ProcStats.contextSwitches(agent.pid)
        let began = Syscalls.nanos()
        Syscalls.sleep(seconds: seconds)
        let elapsed = Double(Syscalls.nanos() - began) / 1e9
        let used = agent.cpuSeconds - cpu
        let woke = ProcStats.switches(from: switches, to: ProcStats.contextSwitches(agent.pid))
        withExtendedLifetime(connections) {}
        return Measurement(figures: [
            "idle_cpu_pct": used / elapsed * 100, "idle_wakeups_s": Double(woke) / elapsed,
        ])
    }
}
