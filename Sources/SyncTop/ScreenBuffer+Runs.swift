/// A buffer row as runs of one style, for the terminal layer and for ANSI text.
extension ScreenBuffer {
    /// One run: text that starts at column `x` and has one style.
    public struct Run: Sendable, Equatable {
        public var x: Int
        public var text: String
        public var style: Style
    }

    /// Row `y` as runs of equal style, left to right, covering the whole row (continuation cells are skipped).
    public func runs(_ y: Int) -> [Run] {
        var runs: [Run] = []
        for x in 0..<width {
            let cell = self[x, y]
            if cell.isContinuation { continue }
            if let last = runs.indices.last, runs[last].style == cell.style {
                runs[last].text.append(cell.character)
            } else {
                runs.append(Run(x: x, text: String(cell.character), style: cell.style))
            }
        }
        return runs
    }

    /// The buffer as lines of segments (trailing blanks of the default style dropped).
    public var segmentLines: [[Segment]] {
        (0..<height).map { y in
            var segments = runs(y).map { Segment($0.text, $0.style) }
            while let last = segments.last, last.style == .normal, last.text.allSatisfy({ $0 == " " }) {
                segments.removeLast()
            }
            if let last = segments.last, last.style == .normal {
                var text = last.text
                while text.last == " " { text.removeLast() }
                segments[segments.count - 1].text = text
            }
            return segments
        }
    }
}
