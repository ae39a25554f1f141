/// A goal a figure must reach.
struct Goal: Sendable {
    enum Kind: Sendable {
        /// The figure must not exceed the value.
        case atMost
        /// The figure must reach the value.
        case atLeast
    }

    var kind: Kind
    var value: Double

    static func atMost(_ value: Double) -> Goal { Goal(kind: .atMost, value: value) }
    static func atLeast(_ value: Double) -> Goal { Goal(kind: .atLeast, value: value) }

    func isMet(by figure: Double) -> Bool {
        switch kind {
        case .atMost: return figure <= value
        case .atLeast: return figure >= value
        }
    }

    /// `≤ 100`, `≥ 1000`.
    var text: String { (kind == .atMost ? "≤ " : "≥ ") + Report.number(value) }
}

/// One figure of the issue (or an extra one this bench adds): its key in the JSON, unit and goal.
struct Figure: Sendable {
    var name: String
    var unit: String
    var goal: Goal?
    /// Which benchmark measures it.
    var group: String

    /// The figures the issue asks for, in the order of the table, then the extras.
    static let all: [Figure] =
        [
            Figure(name: "wake_p50_us", unit: "µs", goal: .atMost(100), group: "wake"),
            Figure(name: "wake_p99_us", unit: "µs", goal: .atMost(1000), group: "wake"),
            Figure(name: "poll_baseline_p50_us", unit: "µs", goal: nil, group: "poll"),
            Figure(name: "wake_speedup", unit: "×", goal: .atLeast(1000), group: "poll"),
            Figure(name: "cli_roundtrip_ms", unit: "ms", goal: .atMost(5), group: "cli"),
            Figure(name: "cli_vs_true_ratio", unit: "×", goal: nil, group: "cli"),
            Figure(name: "cli_busy_roundtrip_ms", unit: "ms", goal: .atMost(5), group: "cli"),
            Figure(name: "cli_busy_roundtrip_p90_ms", unit: "ms", goal: .atMost(6), group: "cli"),
            Figure(name: "throughput_ops_s", unit: "ops/s", goal: .atLeast(50_000), group: "throughput"),
            Figure(name: "throughput_journal_ops_s", unit: "ops/s", goal: .atLeast(20_000), group: "throughput"),
            Figure(name: "scale_units", unit: "units", goal: nil, group: "scale"),
            Figure(name: "scale_want_p99_us", unit: "µs", goal: .atMost(1000), group: "scale"),
            Figure(name: "scale_list_ms", unit: "ms", goal: .atMost(100), group: "scale"),
            Figure(name: "agent_rss_mb", unit: "MiB", goal: .atMost(100), group: "scale"),
            Figure(name: "fanout_1000_ms", unit: "ms", goal: .atMost(50), group: "fanout"),
            Figure(name: "fanout_10000_ms", unit: "ms", goal: .atMost(100), group: "fanout"),
            Figure(name: "idle_cpu_pct", unit: "%", goal: .atMost(0.1), group: "idle"),
            Figure(name: "top_cpu_pct", unit: "%", goal: .atMost(10), group: "top"),
            // Ten times the scale (`--scale10`): 100,000 units and 500,000 edges, a journal of 1,000,000 events,
            // sync-top with 10,000 units and 1,000 events a second.
            Figure(name: "scale10_units", unit: "units", goal: nil, group: "scale10"),
            Figure(name: "scale10_want_p99_us", unit: "µs", goal: .atMost(1000), group: "scale10"),
            Figure(name: "scale10_list_ms", unit: "ms", goal: .atMost(1000), group: "scale10"),
            Figure(name: "scale10_agent_rss_mb", unit: "MiB", goal: .atMost(400), group: "scale10"),
            Figure(name: "restart_1m_s", unit: "s", goal: .atMost(2), group: "scale10"),
            Figure(name: "top10_cpu_pct", unit: "%", goal: .atMost(10), group: "top10"),
            Figure(name: "top10_key_p99_ms", unit: "ms", goal: .atMost(50), group: "top10"),
            // time(4N) / time(N) of requests whose cost could grow with the graph (linear: 4).
            Figure(name: "scaling_want_batch_ratio", unit: "×", goal: .atMost(5), group: "scaling"),
            Figure(name: "scaling_want_single_ratio", unit: "×", goal: .atMost(5), group: "scaling"),
            Figure(name: "scaling_fanin_ratio", unit: "×", goal: .atMost(5), group: "scaling"),
            Figure(name: "scaling_chain_fail_ratio", unit: "×", goal: .atMost(5), group: "scaling"),
            Figure(name: "scaling_list_ratio", unit: "×", goal: .atMost(5), group: "scaling"),
            Figure(name: "scaling_snapshot_ratio", unit: "×", goal: .atMost(5), group: "scaling"),
            Figure(name: "scaling_replay_ratio", unit: "×", goal: .atMost(5), group: "scaling"),
            // From a service ready to its dependent's `syncctl start` returning (ReadinessBenchmark).
            Figure(name: "readiness_notify_p50_ms", unit: "ms", goal: .atMost(1), group: "readiness"),
            Figure(name: "readiness_file_p50_ms", unit: "ms", goal: .atMost(1), group: "readiness"),
            Figure(name: "readiness_tcp_p50_ms", unit: "ms", goal: .atMost(20), group: "readiness"),
            Figure(name: "readiness_tcp_p99_ms", unit: "ms", goal: .atMost(50), group: "readiness"),
            Figure(name: "readiness_http_p50_ms", unit: "ms", goal: .atMost(20), group: "readiness"),
            Figure(name: "readiness_http_p99_ms", unit: "ms", goal: .atMost(50), group: "readiness"),
            Figure(name: "readiness_cpu_pct", unit: "%", goal: .atMost(1), group: "readiness"),
            // Agents sharing one graph through PostgreSQL (SharedBenchmark).
            Figure(name: "shared_wake_p50_ms", unit: "ms", goal: .atMost(2), group: "shared"),
            Figure(name: "shared_wake_p99_ms", unit: "ms", goal: .atMost(10), group: "shared"),
            Figure(name: "shared_changes_s", unit: "/s", goal: .atLeast(2000), group: "shared"),
            // Extras: context for the figures above.
            Figure(name: "wake_journal_p50_us", unit: "µs", goal: nil, group: "wake"),
            Figure(name: "wake_journal_p99_us", unit: "µs", goal: nil, group: "wake"),
            Figure(name: "fdatasync_p50_us", unit: "µs", goal: nil, group: "wake"),
            Figure(name: "fdatasync_p99_us", unit: "µs", goal: nil, group: "wake"),
            Figure(name: "wake_process_p50_us", unit: "µs", goal: nil, group: "wake"),
            Figure(name: "wake_process_p99_us", unit: "µs", goal: nil, group: "wake"),
            Figure(name: "poll_baseline_p99_us", unit: "µs", goal: nil, group: "poll"),
            Figure(name: "true_roundtrip_ms", unit: "ms", goal: nil, group: "cli"),
            Figure(name: "cli_busy_true_roundtrip_ms", unit: "ms", goal: nil, group: "cli"),
            Figure(name: "cli_roundtrip_p90_ms", unit: "ms", goal: nil, group: "cli"),
            Figure(name: "cli_roundtrip_ephemeral_ms", unit: "ms", goal: nil, group: "cli"),
            Figure(name: "scale_edges", unit: "edges", goal: nil, group: "scale"),
            Figure(name: "scale_want_p50_us", unit: "µs", goal: nil, group: "scale"),
            Figure(name: "scale_list_request_ms", unit: "ms", goal: nil, group: "scale"),
            Figure(name: "agent_rss_peak_mb", unit: "MiB", goal: nil, group: "scale"),
            Figure(name: "fanout_10000_journal_ms", unit: "ms", goal: nil, group: "fanout"),
            Figure(name: "fanout_10000_timeout_ms", unit: "ms", goal: nil, group: "fanout"),
            Figure(name: "fanout_10000_rss_mb", unit: "MiB", goal: nil, group: "fanout"),
            Figure(name: "idle_wakeups_s", unit: "/s", goal: nil, group: "idle"),
            Figure(name: "top_frames_s", unit: "/s", goal: nil, group: "top"),
            Figure(name: "top_events_s", unit: "/s", goal: nil, group: "top"),
            Figure(name: "scale10_edges", unit: "edges", goal: nil, group: "scale10"),
            Figure(name: "scale10_want_p50_us", unit: "µs", goal: nil, group: "scale10"),
            Figure(name: "scale10_list_request_ms", unit: "ms", goal: nil, group: "scale10"),
            Figure(name: "scale10_agent_rss_peak_mb", unit: "MiB", goal: nil, group: "scale10"),
            Figure(name: "restart_1m_events", unit: "events", goal: nil, group: "scale10"),
            Figure(name: "restart_1m_journal_mb", unit: "MiB", goal: nil, group: "scale10"),
            Figure(name: "restart_1m_rss_mb", unit: "MiB", goal: nil, group: "scale10"),
            Figure(name: "top10_frames_s", unit: "/s", goal: nil, group: "top10"),
            Figure(name: "top10_events_s", unit: "/s", goal: nil, group: "top10"),
            Figure(name: "top10_key_p50_ms", unit: "ms", goal: nil, group: "top10"),
            Figure(name: "top10_frame_ms", unit: "ms", goal: nil, group: "top10"),
            Figure(name: "top10_key_units_p99_ms", unit: "ms", goal: nil, group: "top10"),
            Figure(name: "readiness_notify_p99_ms", unit: "ms", goal: nil, group: "readiness"),
            Figure(name: "readiness_file_p99_ms", unit: "ms", goal: nil, group: "readiness"),
            Figure(name: "readiness_waitforit_p50_ms", unit: "ms", goal: nil, group: "readiness"),
            Figure(name: "readiness_waitforit_p99_ms", unit: "ms", goal: nil, group: "readiness"),
            Figure(name: "readiness_compose_p50_ms", unit: "ms", goal: nil, group: "readiness"),
            Figure(name: "readiness_cpu_agent_pct", unit: "%", goal: nil, group: "readiness"),
            Figure(name: "shared_wake_journal_p50_ms", unit: "ms", goal: nil, group: "shared"),
            Figure(name: "shared_wake_journal_p99_ms", unit: "ms", goal: nil, group: "shared"),
            Figure(name: "shared_journal_changes_s", unit: "/s", goal: nil, group: "shared"),
        ] + peers

    /// The peers table (`--peers`, ``PeersBenchmark``): per row p50, p99 and CPU; ours over s6.
    static let peers: [Figure] = {
        var figures: [Figure] = []
        for row in PeersBenchmark.Row.allCases {
            let name = "peers_" + row.rawValue
            figures += [
                Figure(name: name + "_p50_ms", unit: "ms", goal: nil, group: "peers"),
                Figure(name: name + "_p99_ms", unit: "ms", goal: nil, group: "peers"),
                Figure(name: name + "_waiter_cpu_ms", unit: "ms", goal: nil, group: "peers"),
                Figure(name: name + "_service_cpu_ms", unit: "ms", goal: nil, group: "peers"),
            ]
            guard row != .s6 else { continue }
            // Our release at or below s6's, p50 and p99, with the agent's default journal.
            let goal: Goal? = row == .completeEphemeral ? nil : .atMost(1)
            figures += [
                Figure(name: name + "_vs_s6_p50", unit: "×", goal: goal, group: "peers"),
                Figure(name: name + "_vs_s6_p99", unit: "×", goal: goal, group: "peers"),
            ]
        }
        for baseline in PeersBenchmark.baselines {
            figures += [
                Figure(name: "peers_\(baseline.name)_p50_ms", unit: "ms", goal: nil, group: "peers"),
                Figure(name: "peers_\(baseline.name)_p99_ms", unit: "ms", goal: nil, group: "peers"),
            ]
        }
        return figures
    }()

    /// The benchmark groups, in the order they run.
    static let groups =
        [
            "wake", "poll", "cli", "throughput", "scale", "scaling", "fanout", "idle", "top", "readiness", "shared",
        ] + tenfoldGroups

    /// The groups at ten times the scale: run only when asked for (`--scale10`, `--only`), they take minutes.
    static let tenfoldGroups = ["scale10", "top10"]

    /// The groups a run measures when none are named.
    static var defaultGroups: [String] { groups.filter { !tenfoldGroups.contains($0) } }

    /// Groups that run only when asked for (`--only`, `--peers`): they need programs the default run does not.
    static let optionalGroups = ["peers"]

    static func named(_ name: String) -> Figure? { all.first { $0.name == name } }
}
