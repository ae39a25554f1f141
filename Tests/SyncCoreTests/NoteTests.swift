import Testing

@testable import SyncCore

/// `note`: a one-line progress note kept with a registered unit, through status changes, replay and snapshots.
struct NoteTests {
    @Test func aNoteIsKeptWithTheUnitAndRecordedAsAnEvent() throws {
        var graph = fixedGraph()
        try graph.startNow("db")
        _ = graph.drainEvents()
        try graph.note("db", "migrating 3/10")
        #expect(graph.info("db")?.note == "migrating 3/10")
        #expect(graph.status(of: "db") == .started)
        #expect(graph.drainEvents().map(\.kind) == [.noted(unit: "db", note: "migrating 3/10")])
    }

    @Test func theNoteStaysThroughStatusChangesUntilTheNextNote() throws {
        var graph = fixedGraph()
        try graph.startNow("db")
        try graph.note("db", "migrating 3/10")
        try graph.complete("db")
        #expect(graph.info("db")?.note == "migrating 3/10")
        try graph.note("db", "ready")
        #expect(graph.info("db")?.note == "ready")
    }

    @Test func anEmptyNoteClearsIt() throws {
        var graph = fixedGraph()
        try graph.startNow("db")
        try graph.note("db", "x")
        _ = graph.drainEvents()
        try graph.note("db", "")
        #expect(graph.info("db")?.note == nil)
        #expect(graph.drainEvents().map(\.kind) == [.noted(unit: "db", note: nil)])
    }

    @Test func theSameNoteAgainRecordsNothing() throws {
        var graph = fixedGraph()
        try graph.startNow("db")
        try graph.note("db", "x")
        _ = graph.drainEvents()
        try graph.note("db", "x")
        #expect(graph.drainEvents().isEmpty)
    }

    @Test func aNoteOnAnUnknownUnitIsRefusedAndRegistersNothing() {
        var graph = fixedGraph()
        let message = #"cannot note unit "db": unit "db" must be registered first: unit not found"#
        #expect(throws: SyncError(.notRegistered, message)) { try graph.note("db", "x") }
        #expect(graph.isRegistered("db") == false)
        #expect(graph.drainEvents().isEmpty)
    }

    @Test func anInvalidNameIsRefused() {
        var graph = fixedGraph()
        #expect(throws: SyncError.self) { try graph.note("", "x") }
        #expect(graph.drainEvents().isEmpty)
    }

    @Test func aNoteIsOneLineOfAtMostTheLimit() throws {
        var graph = fixedGraph()
        try graph.startNow("db")
        try graph.note("db", "line one\nline two\r\tend")
        #expect(graph.info("db")?.note == "line one line two  end")
        try graph.note("db", String(repeating: "é", count: 300))
        let note = try #require(graph.info("db")?.note)
        #expect(note.utf8.count <= UnitGraph.maxNoteBytes)
        #expect(note.hasSuffix("…"))
        #expect(note.hasPrefix("éé"))
    }

    @Test func replayAndSnapshotsKeepTheNote() throws {
        var graph = fixedGraph()
        try graph.startNow("db")
        try graph.startNow("web")
        try graph.note("db", "migrating 3/10")
        try graph.note("web", "x")
        try graph.note("web", "")
        var mirror = fixedGraph()
        for event in graph.drainEvents() { mirror.replay(event) }
        #expect(mirror.snapshot == graph.snapshot)
        #expect(mirror.info("db")?.note == "migrating 3/10")
        #expect(mirror.info("web")?.note == nil)
        let loaded = UnitGraph(snapshot: graph.snapshot, clock: { fixedTime })
        #expect(loaded.snapshot == graph.snapshot)
        #expect(loaded.info("db")?.note == "migrating 3/10")
    }
}
