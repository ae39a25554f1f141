import SyncCore
import SyncTop
import Testing

/// Keys as a pure function of the model.
@Suite("Keys")
struct KeyTests {
    @Test(arguments: [Key.character("q"), .ctrlC, .function(10)])
    func quitKeys(key: Key) {
        var model = Fixture.model()
        #expect(model.handle(key) == .quit)
    }

    @Test func filterTypingTakesEveryCharacter() {
        var model = Fixture.model()
        _ = model.handle(.character("/"))
        for character in "qjkg?" { #expect(model.handle(.character(character)) == .redraw) }
        #expect(model.filter == "qjkg?" && model.isEditingFilter && !model.showsHelp)
        _ = model.handle(.backspace)
        #expect(model.filter == "qjkg")
        _ = model.handle(.escape)
        #expect(model.filter.isEmpty && !model.isEditingFilter)
        _ = model.handle(.character("/"))
        #expect(model.handle(.ctrlC) == .quit, "Ctrl-C quits even while typing")
    }

    @Test func escapeBacksOutStepByStep() {
        var model = Fixture.model()
        for key: Key in [.character("/"), .character("d"), .enter, .character("2")] { _ = model.handle(key) }
        #expect(model.view == .tree && model.filter == "d")
        _ = model.handle(.escape)
        #expect(model.filter.isEmpty && model.view == .tree)
        _ = model.handle(.escape)
        #expect(model.view == .units && model.showsDetail)
        _ = model.handle(.escape)
        #expect(!model.showsDetail)
    }

    @Test func movingTheCursor() {
        var model = Fixture.model()
        let names = model.unitRows.map(\.name)
        #expect(model.cursorUnit == names[0])
        _ = model.handle(.character("j"))
        _ = model.handle(.down)
        #expect(model.cursorUnit == names[2])
        _ = model.handle(.up)
        #expect(model.cursorUnit == names[1])
        _ = model.handle(.end)
        #expect(model.cursorUnit == names.last)
        _ = model.handle(.character("g"))
        #expect(model.cursorUnit == names[0])
        _ = model.handle(.pageDown)
        #expect(model.cursorUnit == names.last, "a page is longer than the list")
        _ = model.handle(.ctrlU)
        #expect(model.cursorUnit == names[0])
    }

    @Test func pagingScrollsLongLists() {
        var model = DashboardModel(source: "test", now: Fixture.at(60))
        let script = Script()
        for index in 0..<60 { script.at(Double(index)).start("unit-\(index < 10 ? "0" : "")\(index)") }
        for event in script.events { model.apply(.event(event)) }
        _ = model.handle(.resize(Size(width: 80, height: 24)))
        _ = model.handle(.character("s"))
        let rows = model.layout.listRows(.units, showsDetail: true)
        _ = model.handle(.pageDown)
        #expect(model.cursorUnit == "unit-\(rows - 1 < 10 ? "0" : "")\(rows - 1)")
        #expect(model.scrollTop[.units] == 0)
        _ = model.handle(.pageDown)
        #expect(model.scrollTop[.units]! > 0)
        let text = Renderer.render(model, theme: .standard).text
        #expect(text.contains(model.cursorUnit!) && text.contains("/60"), "the cursor stays visible")
    }

    @Test func tabCyclesViewsAndDigitsJump() {
        var model = Fixture.model()
        var seen: [DashboardView] = []
        for _ in 0..<4 {
            _ = model.handle(.tab)
            seen.append(model.view)
        }
        #expect(seen == [.tree, .timeline, .log, .units])
        _ = model.handle(.backTab)
        #expect(model.view == .log)
        _ = model.handle(.character("3"))
        #expect(model.view == .timeline)
    }

    @Test func enterOpensTheUnitUnderTheCursor() {
        var model = Fixture.model()
        for key: Key in [.character("2"), .down] { _ = model.handle(key) }
        #expect(model.cursorUnit == "git-clone")
        _ = model.handle(.enter)
        #expect(model.view == .units && model.selectedUnit == "git-clone" && model.showsDetail)
        _ = model.handle(.enter)
        #expect(!model.showsDetail, "Enter in the units view shows or hides the detail")
    }

    @Test func logFollowsUntilTheCursorMoves() {
        var model = Fixture.model(upTo: 10, now: 10)
        _ = model.handle(.character("4"))
        #expect(model.logCursor == nil)
        _ = model.handle(.character("k"))
        let held = model.logCursor
        #expect(held != nil)
        for event in Fixture.startupEvents where event.time > Fixture.at(10) { model.apply(.event(event)) }
        #expect(model.logCursor == held, "new events do not move a held cursor")
        _ = model.handle(.character("G"))
        #expect(model.logCursor == nil)
    }

    @Test func helpListsEveryKeyAndClosesWithEscape() {
        var model = Fixture.model(size: Size(width: 120, height: 35))
        _ = model.handle(.character("?"))
        #expect(model.showsHelp)
        let text = Renderer.render(model, theme: .standard).text
        for binding in KeyBindings.all(.standard) { #expect(text.contains(binding.keys)) }
        #expect(model.handle(.character("j")) == .redraw && model.showsHelp, "other keys do nothing")
        _ = model.handle(.escape)
        #expect(!model.showsHelp)
        _ = model.handle(.character("h"))
        #expect(model.handle(.character("q")) == .quit, "q quits from the help too")
    }

    @Test func tooSmallScreenOnlyQuits() {
        var model = Fixture.model(size: Size(width: 30, height: 8))
        let version = model.version
        #expect(model.handle(.character("j")) == .none)
        #expect(model.handle(.tab) == .none && model.view == .units && model.version == version)
        #expect(model.handle(.character("q")) == .quit)
        #expect(model.handle(.resize(Size(width: 80, height: 24))) == .redraw)
        #expect(!model.layout.isTooSmall)
    }

    @Test func pauseWithP() {
        var model = Fixture.model()
        _ = model.handle(.character(" "))
        #expect(model.isPaused)
        #expect(Renderer.render(model, theme: .standard).text.contains("PAUSED"))
        _ = model.handle(.character("p"))
        #expect(!model.isPaused)
    }
}
