/// `cli_roundtrip_ms`: the wall time of one `syncctl complete UNIT` process, from spawn to exit, against a live
/// `sync-agent` process with its default journal; `cli_vs_true_ratio` against `/bin/true` spawned the same way
/// in the same run. Runs alternate between the two, so both see the same machine load. Each `complete` gets a
/// unit started beforehand, so every run does the real work (connect, hello, complete, a journal sync, exit).
/// The extra `cli_roundtrip_ephemeral_ms` is the same against an `--ephemeral` agent: without the journal sync.
/// `cli_busy_roundtrip_ms` and its p90: `cli_roundtrip_ms` again (a fresh agent with its journal, as many runs) while
/// a process the bench starts (`sync-bench --spin-worker CPU`, see ``Spinner``) spins on the last CPU, pinned there;
/// the agent, `syncctl` and `/bin/true` are not pinned: the scheduler places them as it would on a user's machine
/// with one core busy.
struct CLIBenchmark: Benchmark {
    var group: String { "cli" }

    func run(_ context: BenchContext) async throws -> Measurement {
        let runs = context.pick(full: 300, quick: 60)
        let journaled = try measure(context, journal: true, runs: runs)
        let ephemeral = try measure(context, journal: false, runs: runs / 2)
        let spinner = try Spinner(benchBinary: context.benchBinary, cpu: Syscalls.cores - 1)
        let busy = try measure(context, journal: true, runs: runs)
        spinner.stop()
        let cli = Statistics(journaled.cli).median
        let plain = Statistics(journaled.plain + ephemeral.plain).median
        return Measurement(
            figures: [
                "cli_roundtrip_ms": cli, "true_roundtrip_ms": plain, "cli_vs_true_ratio": cli / plain,
                "cli_roundtrip_p90_ms": Statistics(journaled.cli).percentile(90),
                "cli_roundtrip_ephemeral_ms": Statistics(ephemeral.cli).median,
                "cli_busy_roundtrip_ms": Statistics(busy.cli).median,
                "cli_busy_roundtrip_p90_ms": Statistics(busy.cli).percentile(90),
                "cli_busy_true_roundtrip_ms": Statistics(busy.plain).median,
            ],
            samples: ["cli_ms": journaled.cli, "true_ms": journaled.plain, "cli_busy_ms": busy.cli])
    }

    /// Times `runs` `syncctl complete` processes and as many `/bin/true`, alternating. - Returns: both, in ms.
    private func measure(_ context: BenchContext, journal: Bool, runs: Int) throws -> (cli: [Double], plain: [Double]) {
        let warmup = 10
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: journal)
        defer { agent.stop() }
        let units = (0..<(runs + warmup)).map { "cli-\($0)" }
        let setup = try agent.connect()
        let frames = units.enumerated().map {
            FrameSocket.frame(Int64($0 + 1), .start(unit: $1, wait: true, timeoutMs: nil))
        }
        guard try Pipeline.run(frames, on: setup).refused == 0 else {
            throw BenchError("could not start the units for syncctl complete")
        }
        let environment = ["SYNC_AGENT_SOCKET_PATH=" + agent.socketPath]
        var cli: [Double] = []
        var plain: [Double] = []
        for (i, unit) in units.enumerated() {
            let run = try Spawn.timedRun(context.syncctlBinary, ["complete", unit], environment: environment)
            guard run.status == 0 else { throw BenchError("syncctl complete \(unit) exited with \(run.status)") }
            let baseline = try Spawn.timedRun("/bin/true", [])
            if i >= warmup {
                cli.append(Double(run.nanos) / 1e6)
                plain.append(Double(baseline.nanos) / 1e6)
            }
        }
        return (cli, plain)
    }
}
