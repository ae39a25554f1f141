import SyncCore

/// Keys, as a pure function of the model and the key (every binding is listed in ``KeyBindings``).
extension DashboardModel {
    /// Applies a key.
    /// - Returns: whether to quit, to draw again, or nothing.
    public mutating func handle(_ key: Key) -> KeyAction {
        let before = version
        if case .resize(let size) = key {
            resize(to: size)
            return version == before ? .none : .redraw
        }
        if key == .ctrlC { return .quit }
        if isEditingFilter {
            editFilter(key)
        } else if layout.isTooSmall {
            // Only quitting works on the "too small" screen; anything else would change state nobody can see.
            if key == .character("q") || key == .function(10) { return .quit }
        } else if showsHelp {
            switch key {
            case .character("q"), .function(10): return .quit
            case .escape, .enter, .character("?"), .character("h"), .function(1): showsHelp = false
            default: break
            }
            touch()
        } else if let action = command(key) {
            return action
        }
        return version == before ? .none : .redraw
    }

    /// A key outside filter editing and help. Returns an action only to quit.
    private mutating func command(_ key: Key) -> KeyAction? {
        switch key {
        case .character("q"), .function(10): return .quit
        case .character("?"), .character("h"), .function(1): showsHelp = true
        case .up, .character("k"): moveCursor(by: -1)
        case .down, .character("j"): moveCursor(by: 1)
        case .pageUp, .ctrlU: moveCursor(by: -pageSize)
        case .pageDown, .ctrlD: moveCursor(by: pageSize)
        case .home, .character("g"): moveCursor(to: 0)
        case .end, .character("G"): moveCursor(to: .max)
        case .enter: enter()
        case .escape: escape()
        case .tab: switchView(to: view.next)
        case .backTab: switchView(to: view.previous)
        case .character(let digit) where digit.wholeNumberValue.flatMap(DashboardView.init(rawValue:)) != nil:
            switchView(to: DashboardView(rawValue: digit.wholeNumberValue!)!)
        case .character("/"), .function(4): isEditingFilter = true
        case .character("s"), .function(6):
            sortKey = sortKey.next
            sortAscending = sortKey == .status || sortKey == .name
            reorder()
        case .character("r"):
            sortAscending.toggle()
            reorder()
        case .character("p"), .character(" "): togglePause()
        case .ctrlL: break
        default: return nil
        }
        touch()
        return nil
    }

    /// Enter: in the units view shows or hides the detail pane; elsewhere opens the unit under the cursor there.
    private mutating func enter() {
        guard view != .units else {
            showsDetail.toggle()
            return
        }
        guard let unit = cursorUnit else { return }
        selectedUnit = unit
        showsDetail = true
        switchView(to: .units)
    }

    /// Esc backs out: clears the filter, then hides the detail pane or returns to the units view.
    private mutating func escape() {
        if !filter.isEmpty {
            filter = ""
        } else if view != .units {
            switchView(to: .units)
        } else {
            showsDetail = false
        }
    }

    /// Shows `target`, with its cursor on the selected unit.
    mutating func switchView(to target: DashboardView) {
        if target == .tree, let key = treeCursor,
            !sameBytes(key.split(separator: "\u{1F}").last.map(String.init), selectedUnit)
        {
            treeCursor = nil
        }
        view = target
        touch()
    }

    /// Typing into the filter: characters are text (even `q`, `j`, `k`), Backspace deletes, Enter keeps the
    /// filter, Esc clears it; arrows still move.
    private mutating func editFilter(_ key: Key) {
        switch key {
        case .character(let character): filter.append(character)
        case .backspace: if !filter.isEmpty { filter.removeLast() }
        case .enter: isEditingFilter = false
        case .escape:
            filter = ""
            isEditingFilter = false
        case .up: moveCursor(by: -1)
        case .down: moveCursor(by: 1)
        default: return
        }
        touch()
    }
}
