import Synchronization
import Testing

@testable import SyncReports
import SyncCore

/// `TimelineReport` on the recorded start-up (see ``Startup``) seen at 15 s: figures, critical path, table and Gantt
/// goldens at widths 80 and 120 and in ASCII.
@Suite("TimelineReport")
struct TimelineReportTests {
    let report = TimelineReport(
        timeline: Timeline(events: Startup.events()), now: Startup.at(15), snapshot: Startup.graph().snapshot)

    @Test func rowsInTheOrderUnitsFirstDidSomething() {
        #expect(
            report.rows.map(\.unit) == [
                "dotfiles", "git-clone", "claude", "deps-install", "editor-server", "dev-server", "mcp-proxy",
            ])
        #expect(report.start == Startup.base)
        #expect(report.span == 15_000_000, "mcp-proxy still waits, so the span runs to now")
    }

    @Test func aUnitThatWaitedThenRan() throws {
        let claude = try #require(report.rows.first { $0.unit == "claude" })
        #expect(claude.registered == 100_000)
        #expect(claude.waitBegan == 120_000 && claude.waitEnded == 6_400_000)
        #expect(claude.started == 6_400_000 && claude.ended == 14_200_000)
        #expect(claude.waited == 6_280_000 && claude.ran == 7_800_000)
        #expect(claude.status == .completed && claude.isCritical)
        #expect(claude.dependencies == ["git-clone"])
    }

    @Test func failureReasonsAndCausesComeFromTheSnapshot() throws {
        let deps = try #require(report.rows.first { $0.unit == "deps-install" })
        #expect(deps.status == .failed && deps.reason == "exit 1: npm ERR! network timeout")
        let dev = try #require(report.rows.first { $0.unit == "dev-server" })
        #expect(dev.status == .skipped && dev.cause?.root == "deps-install" && dev.cause?.via == "deps-install")
        #expect(dev.started == nil && dev.ran == nil && dev.ended == 12_700_000 && dev.waited == 12_300_000)
        #expect(dev.dependencies == ["claude", "deps-install"])
    }

    @Test func openWaitsAreMeasuredToNow() throws {
        let proxy = try #require(report.rows.first { $0.unit == "mcp-proxy" })
        #expect(proxy.isWaiting && proxy.waitEnded == nil)
        #expect(proxy.waited == 14_500_000)
        #expect(report.nowOffset == 15_000_000)
    }

    @Test func criticalPath() {
        #expect(report.criticalPath == ["git-clone", "claude"])
        #expect(report.criticalPathDuration == 14_200_000, "from git-clone's start to claude's end")
        #expect(report.criticalPathSummary == "git-clone -> claude (14.2s of 15.0s)")
        #expect(report.rows.filter(\.isCritical).map(\.unit) == ["git-clone", "claude"])
    }

    @Test func textAtWidth80() throws {
        try expectGolden(report.text(width: 80), "timeline-80.txt")
    }

    @Test func textAtWidth120() throws {
        try expectGolden(report.text(width: 120), "timeline-120.txt")
    }

    @Test func textInASCII() throws {
        let text = report.text(width: 80, ascii: true)
        try expectGolden(text, "timeline-ascii-80.txt")
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test(arguments: [40, 60, 80, 100, 120, 200])
    func ganttFitsTheWidth(width: Int) throws {
        let lines = report.gantt(width: width).split(separator: "\n")
        #expect(lines.count == 2 + report.rows.count + 1, "axis labels, ticks, one bar per unit, legend")
        for line in lines { #expect(line.count <= width, "\(line)") }
        #expect(lines.contains { $0.count >= width - 2 }, "the chart uses the width it has")
    }

    @Test func aTinyWidthStillDrawsAChartOf40Columns() {
        let lines = report.gantt(width: 10).split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 40 })
        #expect(lines.count == 2 + report.rows.count + 1)
    }

    @Test func longNamesAreShortenedInTheMiddle() throws {
        var graph = Startup.graph(until: 0)
        try graph.run("a-very-long-unit-name-that-does-not-fit")
        let report = TimelineReport(timeline: Timeline(snapshot: graph.snapshot, events: []), now: Startup.at(1))
        let bar = try #require(report.gantt(width: 80).split(separator: "\n").dropFirst(2).first)
        #expect(bar == "  a-very-lon…s-not-fit", "never started, so no bar; the name keeps 20 of 80 columns")
        #expect(TimelineReport.shortened("abcdef", to: 5, ellipsis: "~") == "ab~ef")
        #expect(TimelineReport.shortened("abc", to: 5, ellipsis: "~") == "abc")
    }

    @Test func eventsTheAgentNoLongerHoldsAreFilledInFromTheSnapshot() throws {
        let events = Startup.events()
        let late = Array(events.drop { $0.time < Startup.at(1) })
        let report = TimelineReport(snapshot: Startup.graph().snapshot, events: late, now: Startup.at(15))
        #expect(report.rows.count == 7, "every registered unit appears")
        let claude = try #require(report.rows.first { $0.unit == "claude" })
        #expect(claude.registered == 100_000 && claude.ended == 14_200_000 && claude.status == .completed)
        #expect(claude.waitBegan == nil && claude.started == nil, "what the agent forgot is not made up")
        #expect(
            TimelineReport(snapshot: Startup.graph().snapshot, events: events, now: Startup.at(15)) == self.report,
            "with every event, the snapshot adds nothing")
    }

    @Test func nothingStartedYet() throws {
        var graph = tickingGraph()
        try graph.want("claude", dependsOn: "git-clone")
        try graph.park("claude", as: 1)
        let timeline = Timeline(events: graph.drainEvents())
        let report = TimelineReport(timeline: timeline, now: Timestamp(microseconds: 10_000))
        #expect(report.criticalPath.isEmpty && report.criticalPathDuration == 0)
        #expect(report.rows.map(\.waited) == [7_000], "claude waits from 3 ms (the third event) to now")
        #expect(report.text(width: 80).hasSuffix("\ncritical path: nothing has started yet\n"))
    }

    @Test func noUnits() {
        let report = TimelineReport(timeline: Timeline(), now: Startup.at(1))
        #expect(report.rows.isEmpty && report.span == 0)
        #expect(report.text(width: 80) == "No units registered\n")
    }

    @Test func offsets() {
        #expect(TimelineReport.offsetText(0) == "+0.0s")
        #expect(TimelineReport.offsetText(12_749_999) == "+12.7s")
        #expect(TimelineReport.offsetText(65_000_000) == "+1m05s")
    }

    @Test func scale() {
        let scale = TimelineReport.Scale(span: 15_000_000, columns: 60)
        #expect(scale.column(0) == 0 && scale.column(15_000_000) == 60 && scale.column(7_500_000) == 30)
        #expect(scale.column(-5) == 0 && scale.column(99_000_000) == 60, "clamped to the area")
        #expect(scale.cells(1_000_000, 1_000_001) == 4..<5, "any length shows as one cell at least")
        #expect(scale.cells(15_000_000, 15_000_000) == 59..<59, "nothing for an empty interval")
        #expect(scale.ticks().map(\.label) == ["0s", "5s", "10s", "15s"])
        #expect(scale.ticks().map(\.column) == [0, 20, 40, 60])
        #expect(TimelineReport.Scale(span: 0, columns: 0).length == 100_000)
        #expect(DurationText.text(.milliseconds(90_000), .axis) == "1m30s")
        #expect(DurationText.text(.milliseconds(5_400_000), .axis) == "1h30m")
    }

    /// A wait far shorter than a cell, right before the run, used to vanish under the run's first cell (seen as a
    /// flaky end-to-end test on a loaded machine, where the rest of the start-up took long).
    @Test func aShortWaitBeforeTheRunStaysVisible() {
        let scale = TimelineReport.Scale(span: 15_000_000, columns: 60)
        let wait = scale.cells(1_000_000, 1_001_000)
        let run = scale.cells(1_001_000, 5_000_000)
        #expect(wait == 4..<5 && run == 4..<20, "both begin in the same cell")
        #expect(scale.keepingVisible(wait, run) == 5..<20)
        #expect(scale.keepingVisible(wait, 4..<5) == 5..<6, "a run of one cell keeps one cell")
        #expect(scale.keepingVisible(4..<8, 4..<20) == 4..<20, "a wait of several cells is left as it is")
        #expect(scale.keepingVisible(nil, run) == run)
        #expect(scale.keepingVisible(59..<60, 59..<60) == 59..<60, "no later cell in the last column")
    }
}

/// A recorded start-up, driven through a real ``UnitGraph`` at fixed times from 2026-11-26T09:00:00Z (seconds
/// below are from then). dotfiles and git-clone start at once; claude (0.1 s) and deps-install (0.2 s) park on
/// git-clone, editor-server (0.3 s) on dotfiles, dev-server (0.4 s) on deps-install and claude, mcp-proxy (0.5 s) on
/// vault-token, which nobody registers. dotfiles completes at 2.1 s (editor-server starts), git-clone at 6.4 s
/// (claude and deps-install start), editor-server at 9.0 s; deps-install fails at 12.7 s, which skips dev-server;
/// claude completes at 14.2 s.
enum Startup {
    static let base = Timestamp(microseconds: 1_795_683_600_000_000)

    /// `base` plus `seconds`.
    static func at(_ seconds: Double) -> Timestamp {
        Timestamp(microseconds: base.rawValue + Int64((seconds * 1_000_000).rounded()))
    }

    private static var steps: [(at: Double, act: (inout UnitGraph) throws -> Void)] {
        [
            (0.0, { try $0.run(started: "dotfiles") }),
            (0.0, { try $0.run(started: "git-clone") }),
            (0.1, { try $0.want("claude", dependsOn: "git-clone") }),
            (0.12, { try $0.park("claude", as: 1) }),
            (0.2, { try $0.want("deps-install", dependsOn: "git-clone") }),
            (0.2, { try $0.park("deps-install", as: 2) }),
            (0.3, { try $0.want("editor-server", dependsOn: "dotfiles") }),
            (0.3, { try $0.park("editor-server", as: 3) }),
            (0.4, { try $0.want("dev-server", dependsOn: "deps-install") }),
            (0.4, { try $0.want("dev-server", dependsOn: "claude") }),
            (0.4, { try $0.park("dev-server", as: 4) }),
            (0.5, { try $0.want("mcp-proxy", dependsOn: "vault-token") }),
            (0.5, { try $0.park("mcp-proxy", as: 5) }),
            (2.1, { try $0.complete("dotfiles") }),
            (6.4, { try $0.complete("git-clone") }),
            (9.0, { try $0.complete("editor-server") }),
            (12.7, { try $0.fail("deps-install", reason: "exit 1: npm ERR! network timeout") }),
            (14.2, { try $0.complete("claude") }),
        ]
    }

    /// The graph after the steps up to `seconds`, and the events it recorded.
    static func record(until seconds: Double = .infinity) -> (graph: UnitGraph, events: [SyncEvent]) {
        let clock = Clock()
        var graph = UnitGraph(clock: { clock.time.withLock { $0 } })
        var events: [SyncEvent] = []
        for step in steps where step.at <= seconds {
            clock.time.withLock { $0 = at(step.at) }
            try! step.act(&graph)
            events += graph.drainEvents()
            _ = graph.drainResolutions()
        }
        return (graph, events)
    }

    static func graph(until seconds: Double = .infinity) -> UnitGraph { record(until: seconds).graph }
    static func events(until seconds: Double = .infinity) -> [SyncEvent] { record(until: seconds).events }

    private final class Clock: Sendable {
        let time = Mutex<Timestamp>(Startup.base)
    }
}

extension UnitGraph {
    /// Starts `unit`, which must be ready, and leaves it running.
    fileprivate mutating func run(started unit: String) throws {
        _ = try start(unit, wait: nil)
    }
}
