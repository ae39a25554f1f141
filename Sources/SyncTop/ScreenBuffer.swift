/// One cell of a ``ScreenBuffer``.
public struct Cell: Sendable, Hashable {
    /// What the cell shows; a space when empty. The right half of a double-width character holds
    /// ``Cell/continuation``.
    public var character: Character
    public var style: Style

    public init(_ character: Character = " ", _ style: Style = .normal) {
        self.character = character
        self.style = style
    }

    /// Marks the second column of a double-width character; renderers skip it.
    public static let continuationMark: Character = "\u{0}"

    /// Whether the cell is the right half of a double-width character.
    public var isContinuation: Bool { character == Cell.continuationMark }
}

/// A grid of styled cells that the layout draws into and the terminal copies to the screen. Drawing clips at the
/// edges, so callers never check bounds.
public struct ScreenBuffer: Sendable, Equatable {
    public let size: Size
    /// Row-major cells, `size.width * size.height` of them.
    public private(set) var cells: [Cell]

    /// A blank buffer.
    public init(_ size: Size) {
        self.size = Size(width: max(0, size.width), height: max(0, size.height))
        cells = Array(repeating: Cell(), count: self.size.width * self.size.height)
    }

    public var width: Int { size.width }
    public var height: Int { size.height }

    /// The cell at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (`x`, `y`), cut to `limit` columns (and the buffer's edge). Characters show as
    /// ``Character/displayed``: control and invisible ones as `?`.
    /// A double-width character that does not fit whole is replaced by a space.
    /// - Returns: the column after the last one written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .normal, limit: Int = .max) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(width, limit == .max ? width : x + max(0, limit))
        var column = x
        for character in text {
            let shown = character.displayed
            let cellWidth = shown.terminalWidth
            if cellWidth == 0 { continue }
            if column + cellWidth > end {
                if column < end, column >= 0 { self[column, y] = Cell(" ", style) }
                return end
            }
            if column >= 0 {
                clearWide(column, y)
                if cellWidth == 2 { clearWide(column + 1, y) }
                self[column, y] = Cell(shown, style)
                if cellWidth == 2 { self[column + 1, y] = Cell(Cell.continuationMark, style) }
            }
            column += cellWidth
        }
        return column
    }

    /// Before cell (`x`, `y`) is overwritten: blanks the other half of a double-width character it belongs to.
    private mutating func clearWide(_ x: Int, _ y: Int) {
        if self[x, y].isContinuation, x > 0 { self[x - 1, y].character = " " }
        if x + 1 < width, self[x + 1, y].isContinuation { self[x + 1, y].character = " " }
    }

    /// Fills `count` cells from (`x`, `y`) with `character`.
    public mutating func fill(_ character: Character = " ", x: Int, y: Int, count: Int, style: Style = .normal) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<max(max(0, x), min(width, x + count)) {
            clearWide(column, y)
            self[column, y] = Cell(character, style)
        }
    }

    /// The characters of row `y`, trailing spaces removed.
    public func line(_ y: Int) -> String {
        var text = ""
        for x in 0..<width where !self[x, y].isContinuation { text.append(self[x, y].character) }
        while text.last == " " { text.removeLast() }
        return text
    }

    /// All rows as text, one line each (trailing spaces removed): what the golden tests compare.
    public var text: String { (0..<height).map(line).joined(separator: "\n") }
}
