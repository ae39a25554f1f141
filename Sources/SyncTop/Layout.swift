/// Where each part of the screen goes for a terminal size. Pure arithmetic, shared by the renderer (to draw) and
/// the key handling (to page and scroll by what is visible).
public struct Layout: Sendable, Equatable {
    /// Below this the dashboard shows only "terminal too small".
    public static let minimum = Size(width: 50, height: 12)

    public let size: Size

    public init(_ size: Size) { self.size = size }

    /// Whether the terminal is below ``minimum``.
    public var isTooSmall: Bool { size.width < Self.minimum.width || size.height < Self.minimum.height }

    /// Rows 0 and 1: the header. Row 2: the view tabs. The last row: key hints or the filter prompt.
    public var tabsY: Int { 2 }
    public var bodyTop: Int { 3 }
    public var footerY: Int { size.height - 1 }
    /// Rows between the tabs and the footer.
    public var bodyHeight: Int { max(0, size.height - 4) }

    /// Rows of the detail pane (its title rule included): about two fifths of the body, 6 to 12 rows; none when
    /// hidden or when the body is shorter than 14 rows.
    public func detailHeight(showsDetail: Bool) -> Int {
        guard showsDetail, bodyHeight >= 14 else { return 0 }
        return min(12, max(6, bodyHeight * 2 / 5))
    }

    /// The detail pane puts the history beside the facts from this width on.
    public var detailIsSplit: Bool { size.width >= 100 }

    /// The list rows a view shows: the table's data rows, the tree's or log's lines, the timeline's bars.
    public func listRows(_ view: DashboardView, showsDetail: Bool) -> Int {
        switch view {
        case .units: max(1, bodyHeight - 1 - detailHeight(showsDetail: showsDetail))
        case .tree, .log: max(1, bodyHeight)
        case .timeline: max(1, bodyHeight - 2)
        }
    }
}

/// Keeps a cursor on screen in a scrolled list.
public enum Viewport {
    /// The first row to show: `stored` moved as little as needed to show `cursor`, and no further than the end.
    public static func top(stored: Int, cursor: Int?, count: Int, rows: Int) -> Int {
        var top = stored
        if let cursor {
            if cursor < top { top = cursor }
            if cursor >= top + rows { top = cursor - rows + 1 }
        }
        return max(0, min(top, count - rows))
    }
}
