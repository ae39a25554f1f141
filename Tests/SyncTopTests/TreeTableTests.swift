import SyncCore
import SyncTop
import Testing

/// The tree drawn from the kept shape (``DashboardModel/treeTable``) against the tree computed from scratch
/// (``DashboardModel/treeLines``): the same lines in the same order and the same cursor, after every event of a
/// random run, with the cursor moved, and with a filter.
@Suite("Tree table")
struct TreeTableTests {
    private func lines(of table: TreeTable) -> [TreeLine] { (0..<table.count).map { table[$0] } }

    private func expectSame(_ model: DashboardModel, _ context: String) {
        let table = model.treeTable
        let computed = model.treeLines
        #expect(lines(of: table) == computed, "\(context)")
        #expect(table.cursorIndex == model.treeIndex(in: computed), "\(context)")
    }

    private func randomEvents(seed: UInt64, count: Int) -> [SyncEvent] { randomRun(seed: seed, count: count) }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func theKeptTreeIsTheComputedOneAfterEveryEvent(seed: UInt64) {
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 0))
        model.resize(to: Size(width: 120, height: 40))
        _ = model.handle(.character("2"))
        #expect(model.view == .tree)
        for (index, event) in randomEvents(seed: seed, count: 300).enumerated() {
            model.apply(.event(event))
            switch index % 5 {
            case 0: _ = model.handle(.down)
            case 1: _ = model.handle(.pageDown)
            case 2: _ = model.handle(.up)
            default: break
            }
            expectSame(model, "seed \(seed), event \(index)")
        }
        #expect(model.treeTable.count > 30, "the run builds trees with repeated units")
        #expect(lines(of: model.treeTable).contains { $0.isRepeat })
    }

    @Test func theCursorFollowsItsLineAndAFilterGivesTheComputedTree() {
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 0))
        model.resize(to: Size(width: 120, height: 40))
        for event in randomEvents(seed: 7, count: 200) { model.apply(.event(event)) }
        _ = model.handle(.character("2"))
        for _ in 0..<12 { _ = model.handle(.down) }
        let cursor = model.treeCursor
        #expect(cursor != nil)
        let table = model.treeTable
        #expect(table.cursorIndex.map { table[$0].key } == cursor, "the cursor's line is found by its path")
        expectSame(model, "cursor moved")
        for key in [Key.character("/"), .character("u"), .character("1"), .enter] { _ = model.handle(key) }
        expectSame(model, "filter u1")
        #expect(model.treeTable.count < table.count)
        _ = model.handle(.escape)
        expectSame(model, "filter cleared")
    }

    @Test func aSnapshotReplacesTheKeptTree() throws {
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 0))
        for event in randomEvents(seed: 4, count: 100) { model.apply(.event(event)) }
        _ = model.handle(.character("2"))
        #expect(model.treeTable.count > 2)
        var graph = UnitGraph(clock: { Timestamp(microseconds: 5) })
        try graph.want("a", dependsOn: "b")
        model.apply(.snapshot(graph.snapshot))
        #expect(lines(of: model.treeTable).map(\.key) == ["a", "a\u{1F}b"])
        expectSame(model, "after the snapshot")
    }

    /// A chain far deeper than a recursive walk could take on a thread's stack, drawn from its kept shape: the
    /// cursor's path has 20,000 names.
    @Test func aLongChainIsListedWithoutRecursion() throws {
        var graph = UnitGraph(clock: { Timestamp(microseconds: 5) })
        for i in 0..<20_000 { try graph.want("c\(i)", dependsOn: "c\(i + 1)") }
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 0))
        model.resize(to: Size(width: 120, height: 40))
        model.apply(.snapshot(graph.snapshot))
        _ = model.handle(.character("2"))
        _ = model.handle(.end)
        let table = model.treeTable
        #expect(table.count == 20_001)
        #expect(table.cursorIndex == 20_000)
        #expect(table[20_000].unit == "c20000" && table[20_000].guides.count == 19_999)
        // Its line is all guides at this depth; the screen still shows the tree's tab and 40 rows.
        let screen = Renderer.render(model, theme: .standard).text
        #expect(screen.split(separator: "\n", omittingEmptySubsequences: false).count == 40)
    }
}
