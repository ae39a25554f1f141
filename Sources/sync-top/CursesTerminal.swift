// The only file that imports curses: everything else draws into a ScreenBuffer.
import CNcurses
import SyncCore
import SyncTop

@preconcurrency import Glibc

/// The terminal through ncurses: copies a ``ScreenBuffer`` to the screen and reads keys. Not thread-safe: one
/// thread creates it, uses it and closes it. It never turns on mouse reporting, so the terminal's own text
/// selection keeps working.
final class CursesTerminal {
    private let window: UnsafeMutablePointer<WINDOW>
    private let screen: OpaquePointer
    /// The theme after asking the terminal whether it has colours.
    let theme: Theme
    /// Colour pair per role (0 = the terminal's default colours).
    private var pairs: [Role: Int16] = [:]
    /// Roles drawn dim because the terminal has no grey.
    private var dimRoles: Set<Role> = []
    private var isOpen = true
    /// Where keys come from: stdin, or the controlling terminal when stdin is redirected. Poll it for input.
    let inputFD: Int32

    /// Starts curses on the process's terminal. The locale must be set before (``TerminalEnvironment/load()``).
    /// - Throws: ``TerminalError`` when `TERM` names no known terminal.
    init(environment: TerminalEnvironment, colorMode: ColorMode) throws(TopError) {
        let term = environment.term ?? "dumb"
        // Keys come from the terminal even when stdin is redirected (`sync-top < /dev/null` must not spin).
        let inputFD = isatty(STDIN_FILENO) == 1 ? STDIN_FILENO : open("/dev/tty", O_RDONLY | O_CLOEXEC)
        guard inputFD >= 0 else { throw TopError("no terminal to read keys from (stdin is not a terminal)") }
        guard let output = fdopen(STDOUT_FILENO, "w"), let input = fdopen(inputFD, "r"),
            let screen = newterm(term, output, input), let window = cn_stdscr()
        else { throw TopError("cannot use terminal type \(goQuoted(term)) (TERM)") }
        self.inputFD = inputFD
        self.screen = screen
        self.window = window
        theme = environment.theme(colorMode, terminalHasColors: has_colors())
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        nodelay(window, true)
        set_escdelay(25)
        curs_set(0)
        setUpColors()
    }

    deinit { close() }

    /// Ends curses and restores the terminal. Safe to call twice.
    func close() {
        guard isOpen else { return }
        isOpen = false
        endwin()
        delscreen(screen)
    }

    /// The terminal's size now.
    var size: Size {
        let size = cn_getmaxyx(window)
        return Size(width: Int(size.cols), height: Int(size.rows))
    }

    /// Colours per role on the terminal's own background (`use_default_colors`), grey where it has 16 colours.
    private func setUpColors() {
        let grey: Int16? = cn_colors() >= 16 ? 8 : nil
        let foreground: [Role: Int16?] = [
            .dim: grey, .skipped: grey, .unregistered: grey, .accent: Int16(COLOR_MAGENTA),
            .warning: Int16(COLOR_YELLOW), .pending: Int16(COLOR_YELLOW), .started: Int16(COLOR_CYAN),
            .completed: Int16(COLOR_GREEN), .failed: Int16(COLOR_RED),
        ]
        let dimWithoutGrey: Set<Role> = [.dim, .skipped, .unregistered]
        guard theme.color else {
            dimRoles = dimWithoutGrey
            return
        }
        start_color()
        use_default_colors()
        var next: Int16 = 1
        for role in Role.allCases {
            guard let color = foreground[role] ?? nil else {
                if dimWithoutGrey.contains(role) { dimRoles.insert(role) }
                continue
            }
            init_pair(next, color, -1)
            pairs[role] = next
            next += 1
        }
    }

    /// Copies `buffer` to the screen; curses sends only the cells that changed.
    func draw(_ buffer: ScreenBuffer) {
        let size = self.size
        werase(window)
        if buffer.width <= size.width {
            for y in 0..<min(buffer.height, size.height) {
                for run in buffer.runs(y) {
                    cn_attr_set(window, attributes(run.style), pairs[run.style.role] ?? 0)
                    mvwaddstr(window, Int32(y), Int32(run.x), run.text)
                }
            }
        }
        cn_attr_set(window, CN_A_NORMAL, 0)
        wnoutrefresh(window)
        doupdate()
    }

    /// Forgets what is on the screen so the next ``draw(_:)`` repaints every cell (Ctrl-L).
    func invalidate() { clearok(window, true) }

    private func attributes(_ style: Style) -> attr_t {
        var attributes = CN_A_NORMAL
        if style.bold { attributes |= CN_A_BOLD }
        if style.reverse { attributes |= CN_A_REVERSE }
        if style.underline { attributes |= CN_A_UNDERLINE }
        if dimRoles.contains(style.role) && !style.reverse { attributes |= CN_A_DIM }
        return attributes
    }

    /// Every key waiting, oldest first (keys curses does not know are skipped); empty when none is waiting.
    func readKeys() -> [Key] {
        var keys: [Key] = []
        while true {
            var character: wint_t = 0
            let result = wget_wch(window, &character)
            if result == OK, let key = Self.key(character: UInt32(character)) {
                keys.append(key)
            } else if result == KEY_CODE_YES, let key = key(code: Int32(character)) {
                keys.append(key)
            } else if result == ERR {
                return keys
            }
        }
    }

    private static func key(character: UInt32) -> Key? {
        switch character {
        case 3: return .ctrlC
        case 4: return .ctrlD
        case 9: return .tab
        case 10, 13: return .enter
        case 12: return .ctrlL
        case 21: return .ctrlU
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard character >= 32, let scalar = Unicode.Scalar(character) else { return nil }
            return .character(Character(scalar))
        }
    }

    private func key(code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize(size)
        case (KEY_F0 + 1)...(KEY_F0 + 12): return .function(Int(code - KEY_F0))
        default: return nil
        }
    }
}
