import SyncCore
import SyncTop
import Testing

/// The whole screen rendered from the fixture at fixed sizes and times, compared with `Goldens/`.
@Suite("Layout goldens")
struct LayoutGoldenTests {
    static let large = Size(width: 120, height: 35)
    static let medium = Size(width: 80, height: 24)

    /// The screen as text, one line per row, with a final newline as text files have.
    private func render(_ model: DashboardModel, _ theme: Theme = .standard) -> String {
        Renderer.render(model, theme: theme).text + "\n"
    }

    @Test func unitsAt120x35() throws {
        try expectGolden(render(Fixture.model(size: Self.large)), "units-120x35.txt")
    }

    @Test func unitsAt80x24() throws {
        try expectGolden(render(Fixture.model(size: Self.medium)), "units-80x24.txt")
    }

    @Test func tooSmallAt40x10() throws {
        let text = render(Fixture.model(size: Size(width: 40, height: 10)))
        #expect(text.contains("terminal too small: 40×10"))
        try expectGolden(text, "too-small-40x10.txt")
    }

    @Test func asciiThemeAt80x24() throws {
        let text = render(Fixture.model(size: Self.medium), .plain)
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        try expectGolden(text, "units-ascii-80x24.txt")
    }

    @Test func treeAt120x35() throws {
        var model = Fixture.model(size: Self.large)
        _ = model.handle(.character("2"))
        try expectGolden(render(model), "tree-120x35.txt")
    }

    @Test func timelineAt120x35() throws {
        var model = Fixture.model(size: Self.large)
        _ = model.handle(.character("3"))
        try expectGolden(render(model), "timeline-120x35.txt")
    }

    @Test func timelineAt80x24() throws {
        var model = Fixture.model(size: Self.medium)
        _ = model.handle(.character("3"))
        try expectGolden(render(model), "timeline-80x24.txt")
    }

    @Test func logAt120x35() throws {
        var model = Fixture.model(size: Self.large)
        _ = model.handle(.character("4"))
        try expectGolden(render(model), "log-120x35.txt")
    }

    @Test func helpAt80x24() throws {
        var model = Fixture.model(size: Self.medium)
        _ = model.handle(.character("?"))
        try expectGolden(render(model), "help-80x24.txt")
    }

    @Test func filterPromptAt80x24() throws {
        var model = Fixture.model(size: Self.medium)
        for key: Key in [.character("/"), .character("s"), .character("e"), .character("r")] { _ = model.handle(key) }
        try expectGolden(render(model), "filter-80x24.txt")
    }
}
