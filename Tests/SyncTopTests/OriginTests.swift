import SyncCore
import SyncTop
import Testing

/// Which agent changed a unit, on a shared store: from the snapshot's `changed_by` and each event's `origin`, shown
/// in the unit's detail pane and after the event in the log; nothing of it without a shared store.
@Suite("Origins in sync-top")
struct OriginTests {
    private static let hostB = "sync-agent pid 4242 on host-b"

    @Test func anEventsOriginIsInTheLogAndTheUnitsDetail() {
        var model = Fixture.model(size: Size(width: 120, height: 35))
        let time = Fixture.at(14)
        model.apply(
            .event(
                SyncEvent(sequence: 32, time: time, kind: .noted(unit: "claude", note: "indexing 3/10")),
                origin: Self.hostB))
        #expect(model.changedBy[UnitKey("claude")] == Self.hostB)
        for _ in 0..<2 { _ = model.handle(.down) }
        #expect(model.selectedUnit == "claude")
        let units = Renderer.render(model, theme: .standard).text
        #expect(units.contains("changed   by pid 4242 on host-b"), "\(units)")
        _ = model.handle(.character("4"))
        let log = Renderer.render(model, theme: .standard).text
        #expect(log.contains(#"note: "indexing 3/10"  by pid 4242 on host-b"#), "\(log)")
        // Events without an origin (the fixture's, as from an agent on a journal file) say nothing of it.
        #expect(log.components(separatedBy: " by pid ").count == 2, "\(log)")
    }

    @Test func aSnapshotsChangedByIsKeptUntilTheNextChange() {
        var model = DashboardModel(source: "s", now: Fixture.at(1))
        let db = UnitInfo(
            name: "db", status: .completed, isReady: true, registeredAt: Fixture.at(0), since: Fixture.at(0),
            changedBy: "sync-agent pid 7 on host-a")
        model.apply(.snapshot(GraphSnapshot(sequence: 4, units: [db], edges: [])))
        #expect(model.changedBy[UnitKey("db")] == "sync-agent pid 7 on host-a")
        // A wait beginning or ending is not a change of the unit.
        model.apply(
            .event(
                SyncEvent(sequence: 5, time: Fixture.at(1), kind: .waitEnded(unit: "db", outcome: .started)),
                origin: Self.hostB))
        #expect(model.changedBy[UnitKey("db")] == "sync-agent pid 7 on host-a")
        model.apply(
            .event(
                SyncEvent(
                    sequence: 6, time: Fixture.at(1),
                    kind: .statusChanged(unit: "db", from: .completed, to: .started, reason: nil, cause: nil, by: nil)),
                origin: Self.hostB))
        #expect(model.changedBy[UnitKey("db")] == Self.hostB)
        #expect(model.history.origin(of: model.history.endID - 1) == Self.hostB)
        #expect(EventText.by("someone else") == "by someone else")
    }

    @Test func withoutASharedStoreNothingIsShown() {
        let model = Fixture.model(size: Size(width: 120, height: 35))
        #expect(model.changedBy.isEmpty)
        #expect(!Renderer.render(model, theme: .standard).text.contains("changed "))
    }
}
