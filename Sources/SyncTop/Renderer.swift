import SyncCore

/// Draws the whole dashboard for the model's screen size into a ``ScreenBuffer``. Pure: the same model and theme
/// always give the same buffer, which the tests compare as text and the terminal layer copies to the screen.
///
/// Layout: two header rows (source, connection, clock; counts, sort, filter), a row of view tabs, the view, and a
/// footer of key hints (or the filter prompt). Below ``Layout/minimum`` only "terminal too small: W×H" is shown.
public struct Renderer {
    let model: DashboardModel
    let theme: Theme
    let layout: Layout
    var buffer: ScreenBuffer

    /// Renders `model` at its screen size.
    public static func render(_ model: DashboardModel, theme: Theme) -> ScreenBuffer {
        var renderer = Renderer(model: model, theme: theme)
        renderer.draw()
        return renderer.buffer
    }

    init(model: DashboardModel, theme: Theme) {
        self.model = model
        self.theme = theme
        layout = model.layout
        buffer = ScreenBuffer(model.screen)
    }

    mutating func draw() {
        guard !layout.isTooSmall else {
            drawTooSmall()
            return
        }
        drawHeader()
        drawTabs()
        switch model.view {
        case .units: drawUnits()
        case .tree: drawTree()
        case .timeline: drawTimeline()
        case .log: drawLog()
        }
        drawFooter()
        if model.showsHelp { drawHelp() }
    }

    /// `terminal too small: 40×10`, the size needed, and how to quit, centred.
    mutating func drawTooSmall() {
        let minimum = Layout.minimum
        let by = theme.unicode ? "×" : "x"
        let lines = [
            "terminal too small: \(model.screen.width)\(by)\(model.screen.height)",
            "need \(minimum.width)\(by)\(minimum.height)", "q quits",
        ]
        let top = max(0, (buffer.height - lines.count) / 2)
        for (offset, line) in lines.enumerated() {
            let shown = Format.tail(line, buffer.width, ellipsis: theme.ellipsis)
            let x = max(0, (buffer.width - shown.terminalWidth) / 2)
            buffer.put(shown, x: x, y: top + offset, style: offset == 0 ? Style(.warning, bold: true) : .dim)
        }
    }

    // MARK: Helpers shared by the views

    /// A horizontal rule across row `y`, with an optional title near its left end: `── title ─────`.
    mutating func rule(y: Int, title: [Segment] = []) {
        buffer.fill(theme.horizontal, x: 0, y: y, count: buffer.width, style: .dim)
        guard !title.isEmpty else { return }
        buffer.put([Segment(" ")] + title + [Segment(" ")], x: 2, y: y, limit: max(0, buffer.width - 4))
    }

    /// `3.2s`, or blank for `nil`.
    func duration(_ microseconds: Int64?) -> String { microseconds.map(Format.duration) ?? "" }

    /// The local clock time of `time`.
    func clock(_ time: Timestamp) -> String { Format.clock(time, utcOffset: model.utcOffset) }

    /// A row's style: its status colour, bold when it just changed, reversed when selected.
    func rowStyle(status: UnitStatus?, unit: String, selected: Bool) -> Style {
        var style = Style(.status(status), bold: model.isHighlighted(unit))
        if status == .failed { style.bold = true }
        if selected { style.reverse = true }
        return style
    }

    /// Where a list view draws: its first row and how many rows it has; `nil`, with `emptyText` shown instead, when
    /// the list is empty.
    mutating func listArea(_ view: DashboardView, isEmpty: Bool, emptyText: String) -> (top: Int, rows: Int)? {
        let top = layout.bodyTop
        guard !isEmpty else {
            emptyMessage(emptyText, y: top + 1)
            return nil
        }
        return (top, layout.listRows(view, showsDetail: model.showsDetail))
    }

    /// A centred dim message in the body, for empty views.
    mutating func emptyMessage(_ text: String, y: Int) {
        let shown = Format.tail(text, buffer.width - 2, ellipsis: theme.ellipsis)
        buffer.put(shown, x: max(1, (buffer.width - shown.terminalWidth) / 2), y: y, style: .dim)
    }

    /// What an empty list says: nothing yet, or nothing matches the filter.
    var emptyText: String {
        model.filter.isEmpty
            ? "no units yet: scripts register them with syncctl want / start"
            : "nothing matches \(goQuoted(model.filter))"
    }
}
