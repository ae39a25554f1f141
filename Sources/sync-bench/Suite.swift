/// Runs the selected benchmark groups `runs` times, whole suite after whole suite (so slow drifts in the machine's
/// load spread over every figure), and keeps every value of every figure.
struct Suite {
    let context: BenchContext
    let groups: [String]
    let runs: Int

    static let benchmarks: [any Benchmark] = [
        WakeBenchmark(), PollBaseline(), CLIBenchmark(), ThroughputBenchmark(), ScaleBenchmark(), ScalingBenchmark(),
        FanoutBenchmark(), IdleBenchmark(), TopBenchmark(), ReadinessBenchmark(), PeersBenchmark(),
        ScaleBenchmark.tenfold, RestartBenchmark(), TopBenchmark.tenfold, TopKeyBenchmark(), SharedBenchmark(),
    ]

    /// Everything measured: each figure's values (one per run) and the raw samples of all runs.
    struct Results {
        var values: [String: [Double]] = [:]
        var samples: [String: [Double]] = [:]
        var loadBefore: [Double] = []
        var loadAfter: [Double] = []
        var seconds = 0.0
    }

    func run() async throws -> Results {
        var results = Results()
        results.loadBefore = ProcStats.loadAverage()
        let began = Syscalls.nanos()
        for round in 1...runs {
            for benchmark in Self.benchmarks where groups.contains(benchmark.group) {
                let started = Syscalls.nanos()
                let measured = try await benchmark.run(context)
                for (name, value) in measured.figures { results.values[name, default: []].append(value) }
                results.samples.merge(measured.samples) { $0 + $1 }
                let shown = measured.figures.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\(Report.number($0.value))" }.joined(separator: " ")
                let took = Double(Syscalls.nanos() - started) / 1e9
                Syscalls.note("run \(round)/\(runs) \(benchmark.group) (\(Report.number(took)) s): \(shown)")
            }
            derive(&results, round: round)
        }
        results.loadAfter = ProcStats.loadAverage()
        results.seconds = Double(Syscalls.nanos() - began) / 1e9
        return results
    }

    /// `wake_speedup` of each run: that run's poll baseline over its push p50.
    private func derive(_ results: inout Results, round: Int) {
        guard let baseline = results.values["poll_baseline_p50_us"], baseline.count == round,
            let push = results.values["wake_p50_us"], push.count == round
        else { return }
        results.values["wake_speedup", default: []].append(baseline[round - 1] / push[round - 1])
    }
}
