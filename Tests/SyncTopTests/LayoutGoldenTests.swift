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

/// Every view, overlay and theme at many sizes: drawing never traps and never leaves the buffer's size.
@Suite("Layout at any size")
struct LayoutSizeTests {
    static let states: [[Key]] = [
        [], [.character("2")], [.character("3")], [.character("4"), .character("k")], [.character("?")],
        [.character("/")],
    ]
    /// Around the minimum size, the detail pane's threshold, the usual sizes and beyond.
    static let widths = [20, 49, 50, 63, 80, 99, 100, 120, 141]
    static let heights = [4, 11, 12, 17, 18, 24, 35, 44]

    @Test(arguments: [0, 1, 2])
    func rendersEverywhere(modelIndex: Int) {
        let models = [
            Fixture.model(), Fixture.model(upTo: 1, now: 1),
            DashboardModel(source: "an-empty-agent-with-a-very-long-socket-path.sock", now: Fixture.base),
        ]
        for width in Self.widths {
            for height in Self.heights {
                for (index, keys) in Self.states.enumerated() {
                    for theme in index == 0 ? [Theme.standard, .plain] : [.standard] {
                        var model = models[modelIndex]
                        _ = model.handle(.resize(Size(width: width, height: height)))
                        for key in keys { _ = model.handle(key) }
                        let screen = Renderer.render(model, theme: theme)
                        #expect(screen.size == Size(width: width, height: height))
                        #expect(screen.text.split(separator: "\n", omittingEmptySubsequences: false).count == height)
                    }
                }
            }
        }
    }
}
