import SyncCore
import SyncTop
import Testing

@Suite("Theme")
struct ThemeTests {
    @Test func utf8LocaleGetsGlyphsAndColour() {
        let theme = Theme.detect(codeset: "UTF-8", term: "xterm-256color", noColor: nil, mode: .auto)
        #expect(theme == Theme(unicode: true, color: true))
        #expect(theme.label(.completed) == "✔ completed" && theme.label(nil) == "? not registered")
    }

    @Test func noColorTurnsColourOffUnlessForced() {
        #expect(!Theme.detect(codeset: "UTF-8", term: "xterm", noColor: "1", mode: .auto).color)
        #expect(Theme.detect(codeset: "UTF-8", term: "xterm", noColor: "", mode: .auto).color, "empty NO_COLOR")
        #expect(Theme.detect(codeset: "UTF-8", term: "xterm", noColor: "1", mode: .always).color)
        #expect(!Theme.detect(codeset: "UTF-8", term: "xterm", noColor: nil, mode: .never).color)
        #expect(
            !Theme.detect(codeset: "UTF-8", term: "xterm", noColor: nil, mode: .auto, terminalHasColors: false)
                .color)
    }

    @Test(arguments: ["ANSI_X3.4-1968", "ISO-8859-1", ""])
    func otherCodesetsGetASCII(codeset: String) {
        let theme = Theme.detect(codeset: codeset, term: "xterm", noColor: nil, mode: .auto)
        #expect(!theme.unicode)
        #expect(UnitStatus.allCases.map(theme.glyph) == ["o", "*", "+", "x", "-"])
    }

    @Test func dumbTerminalGetsASCIIWithoutColour() {
        #expect(Theme.detect(codeset: "UTF-8", term: "dumb", noColor: nil, mode: .auto) == .plain)
        #expect(Theme.detect(codeset: "utf8", term: "xterm", noColor: nil, mode: .auto).unicode)
    }
}
