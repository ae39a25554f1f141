import SyncCore
import SyncTop
import Testing

/// The `--once` table, and that colour off means no escapes anywhere.
@Suite("Once report and colour")
struct OnceReportTests {
    @Test func plainTable() throws {
        var model = Fixture.model(now: 12.7)
        model.apply(.connection(.stale(since: Fixture.at(12.7), reason: "replay finished")))
        try expectGolden(OnceReport.text(model, theme: Theme(unicode: true, color: false)), "once.txt")
    }

    @Test func withoutColourThereAreNoEscapes() {
        let model = Fixture.model()
        for theme in [Theme(unicode: true, color: false), .plain] {
            #expect(!OnceReport.text(model, theme: theme).contains("\u{1B}"))
            let screen = Renderer.render(model, theme: theme)
            #expect(!ANSI.render(screen.segmentLines, color: theme.color).contains("\u{1B}"))
        }
    }

    @Test func withColourRowsAreColouredByStatus() {
        let text = OnceReport.text(Fixture.model(), theme: .standard)
        #expect(text.contains("\u{1B}[31;1m✘ failed"))
        #expect(text.contains("\u{1B}[32m✔ completed"))
    }

    @Test func rolesFollowStatusesOnScreen() {
        let screen = Renderer.render(Fixture.model(), theme: .standard)
        func row(_ text: String) -> Int { (0..<screen.height).first { screen.line($0).contains(text) }! }
        #expect(screen[4, row("✔ git-clone")].style == Style(.completed))
        #expect(screen[4, row("✘ deps-install")].style == Style(.failed, bold: true, reverse: true), "selected")
        #expect(screen[4, row("⊘ dev-server")].style == Style(.skipped, bold: true), "just changed: bold")
    }
}
