/// `cli_roundtrip_ms`: the wall time of one `syncctl complete UNIT` process, from spawn to exit, against a live
/// `sync-agent` process with its default journal; `cli_vs_true_ratio` against `/bin/true` spawned the same way
/// in the same run. Runs alternate between the two, so both see the same machine load. Each `complete` gets a
/// unit started beforehand, so every run does the real work (connect, hello, complete, a journal sync, exit).
struct CLIBenchmark: Benchmark {
    var group: String { "cli" }

    func run(_ context: BenchContext) async throws -> Measurement {
        let runs = context.pick(full: 300, quick: 60)
        let warmup = 10
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: true)
        defer { agent.stop() }
        let units = (0..<(runs + warmup)).map { "cli-\($0)" }
        let setup = try agent.connect()
        let frames = units.enumerated().map { FrameSocket.frame(Int64($0 + 1), .start(unit: $1, wait: true, timeoutMs: nil)) }
        let (_, refused, _) = try Pipeline.run(frames, on: setup)
        guard refused == 0 else { throw BenchError("could not start the units for syncctl complete") }

        let environment = ["SYNC_AGENT_SOCKET_PATH=" + agent.socketPath]
        var syncctl: [Double] = []
        var baseline: [Double] = []
        for (i, unit) in units.enumerated() {
            let cli = try Spawn.timedRun(context.syncctlBinary, ["complete", unit], environment: environment)
            guard cli.status == 0 else { throw BenchError("syncctl complete \(unit) exited with \(cli.status)") }
            let plain = try Spawn.timedRun("/bin/true", [])
            if i >= warmup {
                syncctl.append(Double(cli.nanos) / 1e6)
                baseline.append(Double(plain.nanos) / 1e6)
            }
        }
        let cli = Statistics(syncctl).median
        let plain = Statistics(baseline).median
        return Measurement(
            figures: [
                "cli_roundtrip_ms": cli, "true_roundtrip_ms": plain, "cli_vs_true_ratio": cli / plain,
                "cli_roundtrip_p90_ms": Statistics(syncctl).percentile(90),
            ],
            samples: ["cli_ms": syncctl, "true_ms": baseline])
    }
}
