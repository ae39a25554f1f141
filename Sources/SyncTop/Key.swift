/// A key press or terminal event, decoded by the terminal layer.
public enum Key: Sendable, Hashable {
    /// A printable character (also `q`, `j`, `/`, space…).
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace
    /// Ctrl-C (when the terminal delivers it as a key rather than SIGINT), Ctrl-D, Ctrl-U, Ctrl-L.
    case ctrlC, ctrlD, ctrlU, ctrlL
    /// A function key, `F1`… as 1….
    case function(Int)
    /// The terminal now has this size.
    case resize(Size)
}

/// What the loop should do after a key.
public enum KeyAction: Sendable, Equatable {
    /// Nothing changed.
    case none
    /// The model changed: draw again.
    case redraw
    /// Leave the dashboard.
    case quit
}

/// A size in terminal cells.
public struct Size: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// `120×35`.
    public var description: String { "\(width)×\(height)" }
}
