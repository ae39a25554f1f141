import Glibc
import SyncTop
import Testing

/// The C library's `wcwidth`, which curses uses to place text (Glibc does not export it to Swift).
@_silgen_name("wcwidth")
private func cWidth(_ character: Int32) -> Int32

/// Unit names are any UTF-8 without control characters, so a name may hold what a terminal draws differently from
/// what the layout counted: joiners, bidirectional overrides, piles of combining marks. curses places text by the C
/// library's `wcwidth` and keeps at most a base and four marks in a cell; every row must fill exactly its columns by
/// that measure, or the rest of the screen shifts.
@Suite("Hostile names on screen")
struct HostileNameTests {
    static let names = [
        "emoji\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}x",
        "\u{200B}\u{200B}zw", "\u{202E}evil", "soft\u{AD}hyphen", "line\u{2028}sep", "bom\u{FEFF}", "wide中文字",
        "flag\u{1F1EB}\u{1F1F7}", "hangul\u{1112}\u{1161}\u{11AB}", "plain",
    ]

    /// Columns curses counts for `text`, or `nil` when it holds a character curses cannot place.
    private func cursesColumns(_ text: String) -> Int? {
        var total = 0
        for scalar in text.unicodeScalars {
            let width = cWidth(Int32(bitPattern: scalar.value))
            guard width >= 0 else { return nil }
            total += Int(width)
        }
        return total
    }

    @Test(arguments: names)
    func everyRowFillsExactlyItsColumns(name: String) {
        // wcwidth follows the locale: a UTF-8 one for this thread only (the test does not suspend, so it stays on
        // this thread), leaving the process's locale to the other tests.
        let utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)
        let previous = uselocale(utf8)
        defer {
            uselocale(previous)
            freelocale(utf8)
        }
        var buffer = ScreenBuffer(Size(width: 30, height: 3))
        buffer.put(name, x: 2, y: 1)
        buffer.put("|", x: 2 + name.terminalWidth, y: 1)
        for y in 0..<buffer.height {
            var row = ""
            for x in 0..<buffer.width where !buffer[x, y].isContinuation {
                let cell = buffer[x, y].character
                #expect(cell.unicodeScalars.count <= 5, "a curses cell holds a base and at most four marks")
                row.append(cell)
            }
            #expect(cursesColumns(row) == buffer.width, "row \(y) of \(name.debugDescription): \(row.debugDescription)")
        }
    }

    @Test func invisibleCharactersShowAsQuestionMarks() {
        var buffer = ScreenBuffer(Size(width: 20, height: 1))
        buffer.put("\u{200B}\u{202E}evil", x: 0, y: 0)
        #expect(buffer.line(0) == "??evil")
        #expect("\u{202E}evil".terminalWidth == 5)
    }
}
