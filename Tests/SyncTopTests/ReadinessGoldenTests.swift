import SyncCore
@testable import SyncTop
import Testing

/// Services in the dashboard: what a started one waits for in its row (`ready? tcp:5432 · attempt 12 · connection
/// refused`), how long a completed one took (`ready in 1.4 s`), the report in the detail pane, the ready moment on
/// the timeline and the reports in the log.
@Suite("Readiness in sync-top")
struct ReadinessGoldenTests {
    static let waiting = ReadinessReport(checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused")

    /// The start-up, then `claude` (started at 6.4 s) reporting at 14 s, and a service `postgres` that starts at
    /// 13.0 s, reports at 13.5 s and is ready (completed) at 14.4 s.
    static func model(size: Size = Size(width: 120, height: 35)) -> DashboardModel {
        var model = Fixture.model(size: size)
        let events: [(Double, SyncEvent.Kind)] = [
            (13.0, .registered(unit: "postgres")),
            (13.0, .statusChanged(unit: "postgres", from: .pending, to: .started, reason: nil, cause: nil)),
            (13.5, .readiness(unit: "postgres", ReadinessReport(checks: ["notify"], attempts: 0, result: nil))),
            (14.0, .readiness(unit: "claude", waiting)),
            (14.4, .statusChanged(unit: "postgres", from: .started, to: .completed, reason: nil, cause: nil)),
        ]
        for (offset, (time, kind)) in events.enumerated() {
            model.apply(.event(SyncEvent(sequence: UInt64(32 + offset), time: Fixture.at(time), kind: kind)))
        }
        return model
    }

    @Test func aStartingServiceSaysWhatItWaitsForAndAReadyOneHowLongItTookAt120x35() throws {
        var model = Self.model()
        for _ in 0..<2 { _ = model.handle(.down) }
        let text = Renderer.render(model, theme: .standard).text + "\n"
        #expect(text.contains("claude         started         ready? tcp:5432 · attempt 12 · connection refused"))
        #expect(text.contains("postgres       completed       ready in 1.4 s"))
        #expect(text.contains("readiness waiting for tcp:127.0.0.1:5432"))
        #expect(text.contains("attempts  12, last: connection refused"))
        #expect(text.contains("#35  ready? tcp:127.0.0.1:5432, attempt 12: co"))
        try expectGolden(text, "readiness-120x35.txt")
    }

    @Test func theTimelineMarksTheReadyMomentAt120x35() throws {
        var model = Self.model()
        _ = model.handle(.character("3"))
        let text = Renderer.render(model, theme: .standard).text + "\n"
        #expect(text.contains("● ready"))
        try expectGolden(text, "readiness-timeline-120x35.txt")
        let plain = Renderer.render(model, theme: .plain).text
        #expect(plain.contains("@ ready"))
    }

    @Test func theLogSummarisesReadinessReports() throws {
        var model = Self.model()
        _ = model.handle(.character("4"))
        let text = Renderer.render(model, theme: .standard).text + "\n"
        #expect(text.contains("ready? notify"))
        try expectGolden(text, "readiness-log-120x35.txt")
    }

    @Test func rowsInPlainTextAndWithoutAReport() {
        let model = Self.model()
        let claude = model.unitRows.first { $0.name == "claude" }
        #expect(claude?.summary(theme: .plain) == "ready? tcp:5432 - attempt 12 - connection refused")
        #expect(model.unitRows.first { $0.name == "postgres" }?.readyIn == 1_400_000)
        // Units without a report keep what they showed before.
        #expect(model.unitRows.first { $0.name == "editor-server" }?.summary() == "")
        #expect(model.unitRows.first { $0.name == "mcp-proxy" }?.summary() == "vault-token (not registered)")
    }

    /// Services at every size of the layout tests, in every view: drawing never traps and keeps the buffer's size.
    @Test func rendersAtAnySize() {
        for width in LayoutSizeTests.widths {
            for height in LayoutSizeTests.heights {
                for keys in LayoutSizeTests.states {
                    for theme in [Theme.standard, .plain] {
                        var model = Self.model()
                        _ = model.handle(.resize(Size(width: width, height: height)))
                        for _ in 0..<2 { _ = model.handle(.down) }
                        for key in keys { _ = model.handle(key) }
                        let screen = Renderer.render(model, theme: theme)
                        #expect(screen.size == Size(width: width, height: height))
                        #expect(screen.text.split(separator: "\n", omittingEmptySubsequences: false).count == height)
                    }
                }
            }
        }
    }

    @Test(arguments: [
        ("tcp:127.0.0.1:5432", "tcp:5432"), ("tcp:localhost:6379", "tcp:6379"),
        ("tcp:db.internal:5432", "tcp:db.internal:5432"),
        ("http://127.0.0.1:8000/", "http:8000/"), ("http://localhost:3000/health", "http:3000/health"),
        ("http://api:80/", "http://api:80/"), ("notify", "notify"), ("file:/tmp/ready", "file:/tmp/ready"),
    ])
    func aLocalCheckLosesItsHostInTheRow(check: String, shown: String) {
        #expect(UnitRow.short(check) == shown)
    }
}
