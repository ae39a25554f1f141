import SyncProtocol

/// The results as a readable table, or as one JSON object whose keys are the figure names (each the median over
/// the runs), plus `spread` (median, min, max and every value per figure), `goals`, and the run's conditions.
struct Report {
    let results: Suite.Results
    let quick: Bool
    let runs: Int

    /// The figures measured, in table order; those this bench knows first, then any others.
    private var names: [String] {
        let known = Figure.all.map(\.name).filter { results.values[$0] != nil }
        return known + results.values.keys.filter { Figure.named($0) == nil }.sorted()
    }

    var table: String {
        let header = ["figure", "median", "min", "max", "unit", "goal", "met"]
        var rows: [[String]] = [header]
        for name in names {
            let stats = Statistics(results.values[name]!)
            let figure = Figure.named(name)
            let met = figure?.goal.map { $0.isMet(by: stats.median) ? "yes" : "NO" } ?? ""
            rows.append([
                name, Self.number(stats.median), Self.number(stats.min), Self.number(stats.max), figure?.unit ?? "",
                figure?.goal?.text ?? "", met,
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
        var lines = [
            "sync-bench \(quick ? "--quick" : "full run"): \(runs) run(s) in \(Self.number(results.seconds)) s; "
                + "load average before \(loadText(results.loadBefore)), after \(loadText(results.loadAfter))"
        ]
        for row in rows {
            let cells = row.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return column == 0 || column >= 4 ? text + pad : pad + text
            }
            lines.append(cells.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// The table in Markdown, for docs/BENCHMARKS.md.
    var markdown: String {
        var lines = [
            "| figure | median | min | max | unit | goal | met |", "|---|--:|--:|--:|---|---|---|",
        ]
        for name in names {
            let stats = Statistics(results.values[name]!)
            let figure = Figure.named(name)
            let met = figure?.goal.map { $0.isMet(by: stats.median) ? "yes" : "**no**" } ?? ""
            let cells = [
                "`\(name)`", Self.number(stats.median), Self.number(stats.min), Self.number(stats.max),
                figure?.unit ?? "", figure?.goal?.text ?? "", met,
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    var json: JSON {
        var pairs: [(String, JSON)] = names.map { ($0, Self.value(Statistics(results.values[$0]!).median)) }
        pairs.append(("mode", .string(quick ? "quick" : "full")))
        pairs.append(("runs", .int(Int64(runs))))
        pairs.append(("seconds", Self.value(results.seconds)))
        pairs.append(("load_before", .array(results.loadBefore.map(Self.value))))
        pairs.append(("load_after", .array(results.loadAfter.map(Self.value))))
        pairs.append(("cores", .int(Int64(Syscalls.cores))))
        pairs.append(
            (
                "spread",
                .object(
                    names.map { name in
                        let values = results.values[name]!
                        let stats = Statistics(values)
                        return (
                            name,
                            .object([
                                ("median", Self.value(stats.median)), ("min", Self.value(stats.min)),
                                ("max", Self.value(stats.max)), ("values", .array(values.map(Self.value))),
                            ])
                        )
                    })
            ))
        pairs.append(
            (
                "goals",
                .object(
                    names.compactMap { name in
                        guard let goal = Figure.named(name)?.goal else { return nil }
                        let met = goal.isMet(by: Statistics(results.values[name]!).median)
                        return (name, .object([("goal", .string(goal.text)), ("met", .bool(met))]))
                    })
            ))
        return .object(pairs)
    }

    /// The raw samples (latencies in µs or ms) of every run, for the plot.
    var samplesJSON: JSON {
        .object(results.samples.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(Self.value))) })
    }

    private func loadText(_ load: [Double]) -> String {
        load.map { String(format2: $0) }.joined(separator: " ")
    }

    /// Three significant digits at least, without exponent: `0.0421`, `45.3`, `51234`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let magnitude = abs(value)
        let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : magnitude >= 0.01 ? 3 : 4
        return String(format2: value, decimals: decimals)
    }

    /// A JSON number rounded to what the measurement resolves.
    static func value(_ value: Double) -> JSON {
        guard value.isFinite else { return .null }
        let magnitude = abs(value)
        let scale = magnitude >= 1000 ? 1.0 : magnitude >= 1 ? 1000.0 : 1_000_000.0
        return .double((value * scale).rounded() / scale)
    }
}

extension String {
    /// `value` with a fixed number of decimals, without Foundation's `String(format:)`.
    init(format2 value: Double, decimals: Int = 2) {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        self = text
    }
}
