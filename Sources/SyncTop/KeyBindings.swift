/// Every key binding with what it does: the help overlay lists them all, the footer shows the most useful.
public enum KeyBindings {
    /// One binding as the help shows it.
    public struct Binding: Sendable, Equatable {
        /// The keys, e.g. `↑ ↓  j k`.
        public var keys: String
        /// What they do.
        public var action: String
    }

    /// All bindings, in the order the help lists them.
    public static func all(_ theme: Theme) -> [Binding] {
        let (up, down) = theme.unicode ? ("↑", "↓") : ("Up", "Down")
        return [
            Binding(keys: "q  Ctrl-C  F10", action: "quit"),
            Binding(keys: "\(up) \(down)  k j", action: "move the cursor"),
            Binding(keys: "PgUp PgDn  Ctrl-U Ctrl-D", action: "move by a page"),
            Binding(keys: "g G  Home End", action: "first / last (G follows the log)"),
            Binding(keys: "Enter", action: "show/hide detail; open the unit in Units"),
            Binding(keys: "Esc", action: "clear filter, close detail, back to Units"),
            Binding(keys: "Tab  Shift-Tab", action: "next / previous view"),
            Binding(keys: "1 2 3 4", action: "Units, Tree, Timeline, Log"),
            Binding(keys: "/  F4", action: "filter by name or status"),
            Binding(keys: "s  F6", action: "sort by the next column"),
            Binding(keys: "r", action: "reverse the sort"),
            Binding(keys: "p  Space", action: "pause / resume updates"),
            Binding(keys: "?  h  F1", action: "this help"),
            Binding(keys: "Ctrl-L", action: "redraw the screen"),
        ]
    }

    /// One footer hint: its key and a short description, most important first.
    public struct Hint: Sendable, Equatable {
        public var key: String
        public var label: String
    }

    /// The footer hints for the current view and mode, most important first.
    public static func hints(for model: DashboardModel, theme: Theme) -> [Hint] {
        let enter: String
        switch model.view {
        case .units: enter = model.showsDetail ? "hide detail" : "detail"
        default: enter = "open"
        }
        var hints = [
            Hint(key: "q", label: "quit"), Hint(key: "?", label: "help"), Hint(key: "Tab", label: "view"),
            Hint(key: "/", label: "filter"), Hint(key: "Enter", label: enter),
        ]
        if model.view == .units { hints.append(Hint(key: "s", label: "sort")) }
        hints.append(Hint(key: "p", label: model.isPaused ? "resume" : "pause"))
        hints.append(Hint(key: theme.unicode ? "↑↓" : "j/k", label: "move"))
        if model.view == .log && model.logCursor != nil { hints.append(Hint(key: "G", label: "follow")) }
        return hints
    }
}
