/// The table `sync-bench --peers` prints (``PeersBenchmark``): one row per peer, measured or stated, with p50, p99,
/// ours over s6 and the CPU of each side; each value the median over the runs. `--markdown` gives it in Markdown.
struct PeersTable {
    let results: Suite.Results
    let runs: Int
    let samples: Int

    private static let header = [
        "peer", "signal → waiter exit", "p50 ms", "p99 ms", "p50/s6", "p99/s6", "waiter CPU ms", "service CPU ms",
    ]

    private static let measured: [(row: PeersBenchmark.Row, peer: String, signal: String)] = [
        (.s6, "s6: s6-supervise, s6-svwait -U", "newline on notification-fd 3"),
        (.complete, "sync-agent (journal): syncctl start", "complete on a kept connection"),
        (.completeEphemeral, "sync-agent --ephemeral: syncctl start", "complete on a kept connection"),
        (.notify, "sync-agent (journal): syncctl start", "READY=1 to syncctl run --ready notify"),
    ]

    private func value(_ name: String) -> String {
        results.values[name].map { Report.number(Statistics($0).median) } ?? ""
    }

    var rows: [[String]] {
        var rows: [[String]] = []
        for (row, peer, signal) in Self.measured {
            let name = "peers_" + row.rawValue
            guard results.values[name + "_p50_ms"] != nil else { continue }
            let ratio = row == .s6 ? ["1", "1"] : [value(name + "_vs_s6_p50"), value(name + "_vs_s6_p99")]
            rows.append(
                [peer, signal, value(name + "_p50_ms"), value(name + "_p99_ms")] + ratio
                    + [value(name + "_waiter_cpu_ms"), value(name + "_service_cpu_ms")])
        }
        let s6 = results.values["peers_s6_p50_ms"].map { Statistics($0).median }
        let s6p99 = results.values["peers_s6_p99_ms"].map { Statistics($0).median }
        for baseline in PeersBenchmark.baselines {
            let p50 = baseline.intervalMs / 2
            let p99 = baseline.intervalMs * 0.99
            rows.append([
                baseline.label, baseline.signal, Report.number(p50), Report.number(p99),
                s6.map { Report.number(p50 / $0) } ?? "", s6p99.map { Report.number(p99 / $0) } ?? "", "", "",
            ])
        }
        return rows
    }

    private var title: String {
        "sync-bench --peers: \(runs) run(s), \(samples) samples per measured row, rows interleaved; load average "
            + "before \(Self.load(results.loadBefore)), after \(Self.load(results.loadAfter)); baseline rows stated"
    }

    /// Where each stated row comes from, and how a stated row is computed.
    private var notes: [String] {
        [
            "Stated rows: a check every interval sees a moment at a random phase of it: p50 = interval/2, "
                + "p99 = 0.99 × interval."
        ] + PeersBenchmark.baselines.map { "\($0.label): \($0.source)." }
    }

    var text: String {
        let all = [Self.header] + rows
        let widths = Self.header.indices.map { column in all.map { $0[column].count }.max()! }
        var lines = [title]
        for row in all {
            let cells = row.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return column < 2 ? text + pad : pad + text
            }
            lines.append(cells.joined(separator: "  "))
        }
        return (lines + notes).joined(separator: "\n")
    }

    var markdown: String {
        var lines = [
            title, "", "| " + Self.header.joined(separator: " | ") + " |", "|---|---|--:|--:|--:|--:|--:|--:|",
        ]
        for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
        return (lines + [""] + notes).joined(separator: "\n")
    }

    private static func load(_ load: [Double]) -> String {
        load.map { String(format2: $0) }.joined(separator: " ")
    }
}
