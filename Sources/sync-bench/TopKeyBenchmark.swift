import SyncCore
import SyncOS
import SyncTop

/// `top10_key_p99_ms`: from a key press to its frame in `sync-top`'s pure model and renderer, with 10,000 units and
/// 1,000 events a second, in this process (no terminal, no socket).
///
/// The graph is the tree of ``TopBenchmark``: unit `i` wants unit `(i-1)/2`, all completed; the dashboard loads
/// its snapshot into a 120×40 screen. Each sample is one turn of `sync-top`'s loop at 30 frames a second with a key
/// in it: the 33 events that arrived since the last frame (1,000 a second; `start` and `complete` of the units in
/// turn, from a `UnitGraph`) are applied, then the key is handled and the frame rendered; the time is the whole
/// turn. The keys cycle through every view (units, tree, timeline, log), moving, paging, sorting and toggling the
/// detail pane.
///
/// - `top10_key_p50_ms`, `top10_key_p99_ms`: the turn with a key.
/// - `top10_key_units_p99_ms`: the same, of the turns that end in the units view sorted by status or name (its
///   default; the table's order is then kept event by event, see `UnitOrder`).
/// - `top10_frame_ms`: the median render of a frame alone (no key, no events), in the units view.
struct TopKeyBenchmark: Benchmark {
    var group: String { "top10" }
    static let units = 10_000
    static let eventsPerFrame = 33

    static let keys: [Key] = [
        .down, .down, .down, .pageDown, .up, .pageUp, .character("s"), .character("s"), .character("r"), .enter,
        .enter, .tab, .down, .pageDown, .up, .tab, .down, .pageDown, .tab, .up, .pageUp, .tab, .end, .home,
        .character("s"), .character("s"), .character("s"),
    ]

    func run(_ context: BenchContext) async throws -> Measurement {
        var graph = UnitGraph(clock: SystemClock.now)
        for i in 0..<Self.units {
            if i > 0 { try graph.want("top-\(i)", dependsOn: "top-\((i - 1) / 2)") }
            _ = try graph.start("top-\(i)", wait: nil)
            try graph.complete("top-\(i)")
        }
        _ = graph.drainEvents()
        var model = DashboardModel(source: "bench", now: SystemClock.now())
        model.resize(to: Size(width: 120, height: 40))
        model.apply(.snapshot(graph.snapshot))
        model.apply(.connection(.live))
        var checksum = Renderer.render(model, theme: .standard).cells.count

        var frames: [Double] = []
        for _ in 0..<context.pick(full: 50, quick: 10) {
            let began = Syscalls.nanos()
            checksum &+= Renderer.render(model, theme: .standard).cells.count
            frames.append(Double(Syscalls.nanos() - began) / 1e6)
        }

        var turns: [Double] = []
        /// The turns of each key in each view, for the progress note.
        var byKey: [String: [Double]] = [:]
        /// The turns that ended in the units view sorted by status or name (its default).
        var unitsView: [Double] = []
        var sent = 0
        for sample in 0..<context.pick(full: 600, quick: 120) {
            var events: [SyncEvent] = []
            for _ in 0..<Self.eventsPerFrame {
                let unit = "top-\((sent / 2) % Self.units)"
                if sent % 2 == 0 { _ = try graph.start(unit, wait: nil) } else { try graph.complete(unit) }
                sent += 1
                events += graph.drainEvents()
            }
            let key = Self.keys[sample % Self.keys.count]
            let label = "\(model.view) \(model.sortKey) \(key)"
            let began = Syscalls.nanos()
            for event in events { model.apply(.event(event)) }
            model.tick(now: SystemClock.now())
            _ = model.handle(key)
            checksum &+= Renderer.render(model, theme: .standard).cells.count
            turns.append(Double(Syscalls.nanos() - began) / 1e6)
            byKey[label, default: []].append(turns.last!)
            if model.view == .units, model.sortKey == .status || model.sortKey == .name {
                unitsView.append(turns.last!)
            }
        }
        let slowest = byKey.mapValues { Statistics($0).median }.sorted { $0.value > $1.value }.prefix(6)
        Syscalls.note(
            "  top10 keys, slowest medians: "
                + slowest.map { "\($0.key) \(Report.number($0.value)) ms" }.joined(separator: "; "))
        if checksum == 0 { throw BenchError("top10: no frames rendered") }
        let turn = Statistics(turns)
        return Measurement(
            figures: [
                "top10_key_p50_ms": turn.median, "top10_key_p99_ms": turn.percentile(99),
                "top10_frame_ms": Statistics(frames).median,
                "top10_key_units_p99_ms": Statistics(unitsView).percentile(99),
            ],
            samples: ["top10_key_ms": turns])
    }
}
