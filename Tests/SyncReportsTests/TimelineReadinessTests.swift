import SyncCore
import Testing

@testable import SyncReports

/// The timeline knows when a service became ready: the completion of a unit whose run reported readiness.
struct TimelineReadinessTests {
    static func at(_ milliseconds: Int64) -> Timestamp { Timestamp(microseconds: milliseconds * 1000) }
    static let report = ReadinessReport(checks: ["tcp:5432"], attempts: 3, result: "connection refused")

    @Test func theReadyMomentIsTheCompletionOfAUnitThatReportedReadiness() {
        var timeline = Timeline()
        timeline.record(SyncEvent(sequence: 1, time: Self.at(0), kind: .registered(unit: "db")))
        timeline.record(SyncEvent(sequence: 2, time: Self.at(0), kind: .registered(unit: "job")))
        for (sequence, unit) in [(3, "db"), (4, "job")] {
            timeline.record(
                SyncEvent(
                    sequence: UInt64(sequence), time: Self.at(10),
                    kind: .statusChanged(unit: unit, from: .pending, to: .started, reason: nil, cause: nil)))
        }
        timeline.record(SyncEvent(sequence: 5, time: Self.at(500), kind: .readiness(unit: "db", Self.report)))
        #expect(timeline["db"]?.readyAt == nil)
        for (sequence, unit) in [(6, "db"), (7, "job")] {
            timeline.record(
                SyncEvent(
                    sequence: UInt64(sequence), time: Self.at(1410),
                    kind: .statusChanged(unit: unit, from: .started, to: .completed, reason: nil, cause: nil)))
        }
        #expect(timeline["db"]?.readyAt == Self.at(1410))
        #expect(timeline["job"]?.readyAt == nil)
        // A retry starts a new run that has not reported yet.
        timeline.record(
            SyncEvent(
                sequence: 8, time: Self.at(2000),
                kind: .statusChanged(unit: "db", from: .completed, to: .started, reason: nil, cause: nil)))
        #expect(timeline["db"]?.readyAt == nil)
        #expect(timeline["db"]?.reportedReadiness == false)
    }

    @Test func aSnapshotTellsWhichUnitsAreServicesAndWhenTheyStarted() throws {
        var graph = UnitGraph(clock: { Self.at(10) })
        _ = try graph.start("db", wait: nil)
        try graph.reportReadiness("db", Self.report)
        var later = UnitGraph(snapshot: graph.snapshot, clock: { Self.at(1410) })
        try later.complete("db")
        let timeline = Timeline(snapshot: later.snapshot, events: [])
        #expect(timeline["db"]?.readyAt == Self.at(1410))
        #expect(timeline["db"]?.startedAt == Self.at(10))
    }

    @Test func theGanttChartMarksTheReadyMomentAfterTheServicesBar() throws {
        var graph = UnitGraph(clock: { Self.at(10) })
        _ = try graph.start("db", wait: nil)
        _ = try graph.start("job", wait: nil)
        try graph.reportReadiness("db", Self.report)
        var later = UnitGraph(snapshot: graph.snapshot, clock: { Self.at(1410) })
        try later.complete("db")
        try later.complete("job")
        let report = TimelineReport(timeline: Timeline(snapshot: later.snapshot, events: []), now: Self.at(2000))
        #expect(report.rows.first { $0.unit == "db" }?.ready == 1_400_000)
        #expect(report.rows.first { $0.unit == "job" }?.ready == nil)
        for (ascii, mark) in [(false, "●"), (true, "@")] {
            let lines = report.gantt(width: 60, ascii: ascii).split(separator: "\n").map(String.init)
            let db = try #require(lines.first { $0.contains(" db ") }, "\(lines)")
            let job = try #require(lines.first { $0.contains("job") }, "\(lines)")
            #expect(db.hasSuffix(mark), "the mark right after the bar: \(db)")
            #expect(!job.contains(mark), "\(job)")
            #expect(lines.last?.contains("\(mark) ready") == true, "\(lines.last ?? "")")
        }
    }
}
