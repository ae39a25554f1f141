import SyncCore

/// The characters and colour choice the layout draws with: UTF-8 glyphs and box drawing, or an ASCII fallback for
/// terminals and locales that cannot show them. A status is always drawn as a glyph *and* a word, so colour is
/// never the only signal.
public struct Theme: Sendable, Equatable {
    /// Whether the terminal can show UTF-8 glyphs and box drawing.
    public var unicode: Bool
    /// Whether the terminal layer may use colour. The layout sets roles either way; only the terminal reads this.
    public var color: Bool

    public init(unicode: Bool, color: Bool) {
        self.unicode = unicode
        self.color = color
    }

    /// UTF-8 glyphs, colour on.
    public static let standard = Theme(unicode: true, color: true)
    /// ASCII only, colour off.
    public static let plain = Theme(unicode: false, color: false)

    /// `✔`, `●`, `◌`, `✘`, `⊘`, `?`, or in ASCII `+`, `*`, `o`, `x`, `-`, `?`.
    public func glyph(_ status: UnitStatus?) -> String { status.glyph(ascii: !unicode) }

    /// `✔ completed`, `? not registered`.
    public func label(_ status: UnitStatus?) -> String { "\(glyph(status)) \(status.display)" }

    /// Whether a dependency is satisfied: `✔`/`✘` (`+`/`x`).
    public func satisfied(_ yes: Bool) -> String { yes ? (unicode ? "✔" : "+") : (unicode ? "✘" : "x") }

    public var horizontal: Character { unicode ? "─" : "-" }
    public var vertical: Character { unicode ? "│" : "|" }
    public var topLeft: Character { unicode ? "┌" : "+" }
    public var topRight: Character { unicode ? "┐" : "+" }
    public var bottomLeft: Character { unicode ? "└" : "+" }
    public var bottomRight: Character { unicode ? "┘" : "+" }

    /// Tree connectors: a middle child, the last child, a continuing line, nothing.
    public var treeBranch: String { unicode ? "├─ " : "|- " }
    public var treeLast: String { unicode ? "└─ " : "`- " }
    public var treeLine: String { unicode ? "│  " : "|  " }

    /// Gantt cells: a wait (hatched), a run (solid), the critical-path mark.
    public var waitBar: Character { unicode ? "░" : "." }
    public var runBar: Character { unicode ? "█" : "#" }
    public var criticalMark: Character { unicode ? "◆" : "*" }
    /// The selected row's marker.
    public var pointer: Character { unicode ? "▸" : ">" }
    /// Marks the cut in a shortened text.
    public var ellipsis: Character { unicode ? "…" : "~" }
    /// Between the parts of a service's readiness (`ready? tcp:5432 · attempt 12 · connection refused`).
    public var dot: String { unicode ? "·" : "-" }
    /// On the timeline, where a service became ready.
    public var readyMark: Character { unicode ? "●" : "@" }
    /// Sort direction.
    public func arrow(ascending: Bool) -> Character { unicode ? (ascending ? "▲" : "▼") : (ascending ? "^" : "v") }
    /// Between a status and the next in a transition.
    public var transition: String { unicode ? "→" : "->" }
}

/// The `--color` choice.
public enum ColorMode: String, Sendable, CaseIterable {
    case auto, always, never
}

extension Theme {
    /// Decides the theme from the environment, by the usual conventions.
    ///
    /// Glyphs are UTF-8 only when the locale's codeset is UTF-8 and `TERM` is not `dumb`. Colour: `never` turns it
    /// off; `always` turns it on even with `NO_COLOR` (an explicit flag wins, as systemd does); `auto` turns it on
    /// unless `NO_COLOR` is set and non-empty, `TERM` is `dumb` or unset, or the terminal cannot show colour.
    /// - Parameters:
    ///   - codeset: `nl_langinfo(CODESET)` after `setlocale(LC_ALL, "")`, e.g. `UTF-8` or `ANSI_X3.4-1968`.
    ///   - term: `$TERM`.
    ///   - noColor: `$NO_COLOR`.
    ///   - mode: the `--color` flag.
    ///   - terminalHasColors: what the terminal reports (curses `has_colors()`); pass `true` when unknown.
    public static func detect(
        codeset: String, term: String?, noColor: String?, mode: ColorMode, terminalHasColors: Bool = true
    ) -> Theme {
        let dumb = term == nil || term == "dumb" || term == ""
        let normalized = codeset.uppercased().replacingDashes()
        let unicode = (normalized == "UTF8") && !dumb
        let color: Bool
        switch mode {
        case .never: color = false
        case .always: color = true
        case .auto: color = (noColor ?? "").isEmpty && !dumb && terminalHasColors
        }
        return Theme(unicode: unicode, color: color)
    }
}

extension String {
    fileprivate func replacingDashes() -> String { String(filter { $0 != "-" && $0 != "_" }) }
}
