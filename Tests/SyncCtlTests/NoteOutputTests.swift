import SyncCore
import SyncProtocol
import SyncReports
import Testing

@testable import SyncCtl

/// What `note` prints, and how `status`, `list -o json`, `why` and `watch` show a unit's note; without a note they
/// print what they printed before notes existed (`OutputFormattingTests` and the goldens check those).
@Suite struct NoteOutputTests {
    static let time = Timestamp(microseconds: 1_700_000_000_000_000)
    static let db = UnitInfo(
        name: "db", status: .started, isReady: true, registeredAt: time, since: time, note: "migrating 3/10")
    static let report = UnitStatusReport(unit: "db", info: db, isReady: true, dependencies: [], dependents: [])

    @Test func noteSaysWhatWasKept() {
        #expect(Note.text(unit: "db", kept: "migrating 3/10") == #"Unit "db" noted: "migrating 3/10""#)
        #expect(Note.text(unit: "db", kept: nil) == #"Unit "db" note cleared"#)
    }

    @Test func statusTableShowsTheNoteUnderReady() {
        #expect(
            Status.table(Self.report, unit: "db", columns: Status.columns)
                == "Unit: db\nStatus: started\nReady: true\nNote: migrating 3/10\n\nDependencies:\n"
                + "No dependencies found\n")
    }

    @Test func statusAndListJSONCarryTheNoteLast() {
        #expect(
            Status.json(Self.report).compact
                == #"{"unit_name":"db","status":"started","is_ready":true,"dependencies":[],"note":"migrating 3/10"}"#)
        #expect(
            List.json([Self.db]).compact
                == #"[{"unit_name":"db","status":"started","is_ready":true,"note":"migrating 3/10"}]"#)
    }

    @Test func whyShowsTheNoteBesideTheUnit() {
        var graph = UnitGraph(clock: { Self.time })
        _ = try? graph.start("db", wait: nil)
        try? graph.note("db", "migrating 3/10")
        try? graph.want("app", dependsOn: "db")
        let report = WhyReport(unit: "app", graph: graph)
        #expect(
            Why.text(report.root, now: Self.time) == """
                app: pending for 0ms, waiting for 1 dependency
                └── db: started 0ms ago, running; note: "migrating 3/10"

                """)
        #expect(Why.json(report.root, now: Self.time)["waiting_on"]?.arrayValue?.first?["note"] == "migrating 3/10")
        #expect(Why.json(report.root, now: Self.time)["note"] == nil)
    }

    @Test func watchShowsNoteChanges() {
        func line(_ note: String?) -> String {
            Watch.text(SyncEvent(sequence: 3, time: Self.time, kind: .noted(unit: "db", note: note)), offset: 0)
        }
        #expect(line("migrating 3/10").hasSuffix(#"#3  db  note "migrating 3/10""#))
        #expect(line(nil).hasSuffix("#3  db  note cleared"))
    }
}
