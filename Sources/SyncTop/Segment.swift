/// A run of text in one style; lines of the layout are built from them.
public struct Segment: Sendable, Equatable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .normal) {
        self.text = text
        self.style = style
    }
}

extension Array where Element == Segment {
    /// Columns the segments take.
    public var width: Int { reduce(0) { $0 + $1.text.terminalWidth } }

    /// The segments cut to `width` columns, ending in `ellipsis` when something was cut.
    public func truncated(to width: Int, ellipsis: Character) -> [Segment] {
        guard self.width > width else { return self }
        guard width > 0 else { return [] }
        var out: [Segment] = []
        var used = 0
        for segment in self {
            let columns = segment.text.terminalWidth
            if used + columns < width {
                out.append(segment)
                used += columns
                continue
            }
            out.append(
                Segment(Format.prefix(segment.text, columns: width - used - 1) + String(ellipsis), segment.style))
            break
        }
        return out
    }
}

extension ScreenBuffer {
    /// Writes `segments` one after another from (`x`, `y`), shortened with `ellipsis` to fit `width` columns.
    /// - Returns: the column after the last one written.
    @discardableResult
    public mutating func put(_ segments: [Segment], x: Int, y: Int, fitting width: Int, ellipsis: Character) -> Int {
        put(segments.truncated(to: width, ellipsis: ellipsis), x: x, y: y, limit: width)
    }

    /// Writes `segments` one after another from (`x`, `y`), cut at `limit` columns.
    /// - Returns: the column after the last one written.
    @discardableResult
    public mutating func put(_ segments: [Segment], x: Int, y: Int, limit: Int = .max) -> Int {
        let end = limit == .max ? width : x + limit
        var column = x
        for segment in segments where column < end {
            column = put(segment.text, x: column, y: y, style: segment.style, limit: end - column)
        }
        return column
    }
}
