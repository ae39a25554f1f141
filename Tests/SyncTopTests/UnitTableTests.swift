import SyncCore
import SyncTop
import Testing

/// The units table kept event by event (`UnitOrder` behind ``DashboardModel/unitTable``) against the table computed
/// from scratch (``DashboardModel/unitRows``): the same rows in the same order, the same selection and counts,
/// after every event of a random run and under every sort, direction and filter.
@Suite("Unit table")
struct UnitTableTests {
    /// Every row of the kept table, built one by one.
    private func rows(of table: UnitTable) -> [UnitRow] { (0..<table.count).map { table[$0] } }

    private func expectSame(_ model: DashboardModel, _ context: String) {
        let table = model.unitTable
        #expect(rows(of: table) == model.unitRows, "\(context)")
        #expect(table.selectedIndex == model.selectedIndex(in: model.unitRows), "\(context)")
    }

    private func randomEvents(seed: UInt64, count: Int) -> [SyncEvent] { randomRun(seed: seed, count: count) }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func theKeptTableIsTheComputedOneAfterEveryEvent(seed: UInt64) {
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 0))
        model.resize(to: Size(width: 120, height: 40))
        for (index, event) in randomEvents(seed: seed, count: 300).enumerated() {
            model.apply(.event(event))
            if index % 7 == 0 { _ = model.handle(.down) }
            expectSame(model, "seed \(seed), event \(index)")
        }
        #expect(model.unitTable.count > 30, "the run registers most units")
    }

    @Test func everySortDirectionAndFilterGivesTheComputedTable() {
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 0))
        model.resize(to: Size(width: 120, height: 40))
        for event in randomEvents(seed: 9, count: 200) { model.apply(.event(event)) }
        for sort in 0..<(2 * SortKey.allCases.count) {
            expectSame(model, "sort \(model.sortKey), ascending \(model.sortAscending)")
            _ = model.handle(sort % 2 == 0 ? .character("r") : .character("s"))
            for event in randomEvents(seed: UInt64(sort), count: 20) { model.apply(.event(event)) }
        }
        for key in [Key.character("/"), .character("u"), .character("1"), .enter] { _ = model.handle(key) }
        expectSame(model, "filter u1")
        #expect(model.unitTable.count < model.counts.byStatus.values.reduce(0, +))
    }

    /// 1,500 units registered one by one in random order, then random status changes: the kept order's blocks
    /// split many times over (a block holds at most 512 rows), and rows move between them.
    @Test func aLargeTableSplitsItsBlocksAndStaysInOrder() {
        var random = SeededRandom(seed: 12)
        var graph = UnitGraph(clock: { Timestamp(microseconds: 1_000) })
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 0))
        model.resize(to: Size(width: 120, height: 40))
        var names = (0..<1500).map { "n\($0)" }
        for i in stride(from: names.count - 1, to: 0, by: -1) { names.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        for name in names { try? graph.register(name) }
        for event in graph.drainEvents() { model.apply(.event(event)) }
        expectSame(model, "registered")
        for round in 0..<6 {
            for _ in 0..<300 {
                let unit = names[Int(random.next() % UInt64(names.count))]
                switch random.next() % 3 {
                case 0: _ = try? graph.start(unit, wait: nil)
                case 1: try? graph.complete(unit)
                default: try? graph.fail(unit, reason: "exit 1")
                }
            }
            for event in graph.drainEvents() { model.apply(.event(event)) }
            _ = model.handle(round % 2 == 0 ? .pageDown : .character("s"))
            expectSame(model, "round \(round), sort \(model.sortKey)")
        }
        #expect(model.unitTable.count == 1500)
    }

    @Test func aSnapshotReplacesTheKeptTable() {
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 0))
        for event in randomEvents(seed: 4, count: 100) { model.apply(.event(event)) }
        var graph = UnitGraph(clock: { Timestamp(microseconds: 5) })
        try? graph.want("a", dependsOn: "b")
        model.apply(.snapshot(graph.snapshot))
        #expect(rows(of: model.unitTable).map(\.name) == ["a", "b"])
        expectSame(model, "after the snapshot")
    }
}

/// The history's index per unit: a unit's entries, newest last, the same as filtering the whole history, also
/// after old entries were dropped.
@Suite("Event history per unit")
struct EventHistoryIndexTests {
    @Test func aUnitsEntriesAreTheFilteredHistoryAfterDrops() {
        var history = EventHistory(limit: 16)
        for sequence in 1...100 as ClosedRange<UInt64> {
            let unit = "u\(sequence % 3 == 0 ? 0 : sequence % 5)"
            history.append(
                .event(
                    SyncEvent(
                        sequence: sequence, time: Timestamp(microseconds: Int64(sequence)),
                        kind: .noted(unit: unit, note: "n\(sequence)"))))
            if sequence % 10 == 0 { history.append(.note(time: Timestamp(microseconds: 0), text: "note")) }
            for name in ["u0", "u1", "u2", "u4", "nobody"] {
                let filtered = history.entries.filter { $0.unit == name }
                #expect(history.entries(about: name) == Array(filtered), "\(name) after \(sequence)")
                #expect(history.entries(about: name, last: 2) == Array(filtered.suffix(2)))
            }
        }
        #expect(history.count <= 18 && history.firstID > 0, "old entries were dropped")
    }
}

/// A linear congruential generator (Knuth's MMIX constants): the same run on every machine.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}

/// A random run of wants, starts, completions and failures over 40 units, some never registered (a want that would
/// close a loop is refused by the graph and left out).
func randomRun(seed: UInt64, count: Int) -> [SyncEvent] {
    var random = SeededRandom(seed: seed)
    var graph = UnitGraph(clock: { Timestamp(microseconds: 1_000) })
    var events: [SyncEvent] = []
    for _ in 0..<count {
        let unit = "u\(random.next() % 40)"
        switch random.next() % 6 {
        case 0, 1: try? graph.want(unit, dependsOn: "u\(random.next() % 40)")
        case 2: _ = try? graph.start(unit, wait: nil)
        case 3: try? graph.complete(unit)
        case 4: try? graph.fail(unit, reason: "exit 1")
        default: _ = try? graph.start(unit, wait: nil)
        }
        events += graph.drainEvents()
    }
    return events
}
