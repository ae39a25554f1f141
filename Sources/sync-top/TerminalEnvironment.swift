import SyncOS
import SyncTop

@preconcurrency import Glibc

/// What the process's environment says about the terminal: locale, `TERM`, `NO_COLOR`, whether stdout is a TTY.
struct TerminalEnvironment {
    /// The locale's codeset after `setlocale(LC_ALL, "")`, e.g. `UTF-8` or `ANSI_X3.4-1968`.
    let codeset: String
    let term: String?
    let noColor: String?
    let stdoutIsTerminal: Bool

    /// Reads the environment and sets the locale from it. Must run before curses starts, so that wide characters
    /// render; a non-UTF-8 locale is kept as it is and gets the ASCII theme.
    static func load() -> TerminalEnvironment {
        setlocale(LC_ALL, "")
        return TerminalEnvironment(
            codeset: String(cString: nl_langinfo(nl_item(CODESET))), term: Environment.value("TERM"),
            noColor: Environment.value("NO_COLOR"), stdoutIsTerminal: isatty(STDOUT_FILENO) == 1)
    }

    /// Whether `TERM` is `dumb` or unset: such a terminal cannot move its cursor, so no dashboard can be drawn.
    var isDumb: Bool { term == nil || term == "" || term == "dumb" }

    /// The theme for `mode`, given what the terminal reports about colour.
    func theme(_ mode: ColorMode, terminalHasColors: Bool = true) -> Theme {
        Theme.detect(codeset: codeset, term: term, noColor: noColor, mode: mode, terminalHasColors: terminalHasColors)
    }
}
