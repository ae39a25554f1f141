import SyncCore
import SyncTop
import Testing

/// A unit's progress note in the dashboard: in its row's WAITING ON / CAUSE column when that is otherwise empty, in
/// its detail pane, and as a line of its history.
@Suite("Notes in sync-top")
struct NoteGoldenTests {
    @Test func aStartedUnitsNoteIsInItsRowAndDetailAt120x35() throws {
        var model = Fixture.model(size: Size(width: 120, height: 35))
        let time = Fixture.at(14)
        model.apply(.event(SyncEvent(sequence: 32, time: time, kind: .noted(unit: "claude", note: "indexing 3/10"))))
        for _ in 0..<2 { _ = model.handle(.down) }
        let text = Renderer.render(model, theme: .standard).text + "\n"
        #expect(text.contains("claude         started         indexing 3/10"))
        #expect(text.contains(#"note: "indexing 3/10""#))
        try expectGolden(text, "note-120x35.txt")
    }

    @Test func aPendingUnitKeepsShowingWhatItWaitsOn() {
        var model = Fixture.model(size: Size(width: 120, height: 35))
        model.apply(
            .event(SyncEvent(sequence: 32, time: Fixture.at(14), kind: .noted(unit: "mcp-proxy", note: "waiting"))))
        let row = model.unitRows.first { $0.name == "mcp-proxy" }
        #expect(row?.note == "waiting")
        #expect(row?.summary() == "vault-token (not registered)")
    }
}
