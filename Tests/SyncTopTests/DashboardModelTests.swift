import SyncCore
import SyncTop
import Testing

/// The model fed from event sequences: counts, rows, sorting, filter, selection, pause, reconnect and resume.
@Suite("Dashboard model")
struct DashboardModelTests {
    @Test func countsPerStatusAndUnregistered() {
        let (byStatus, unregistered) = Fixture.model().counts
        #expect(byStatus == [.failed: 1, .skipped: 1, .started: 1, .pending: 1, .completed: 3])
        #expect(unregistered == 1)
    }

    @Test func waitsOnListsTheUnsatisfiedDependencies() throws {
        let early = Fixture.model(upTo: 3, now: 3).unitRows
        let claude = try #require(early.first { $0.name == "claude" })
        #expect(claude.waitsOn.map(\.dependsOn) == ["git-clone"])
        #expect(claude.summary() == "git-clone (started)")
        #expect(claude.wait == 2_880_000 && claude.run == nil)
        let proxy = try #require(Fixture.model().unitRows.first { $0.name == "mcp-proxy" })
        #expect(proxy.summary() == "vault-token (not registered)")
        let token = try #require(Fixture.model().unitRows.first { $0.name == "vault-token" })
        #expect(token.status == nil && token.summary() == "wanted by mcp-proxy")
    }

    @Test func failuresArePinnedWithTheirCause() throws {
        let rows = Fixture.model().unitRows
        #expect(rows.prefix(2).map(\.name) == ["deps-install", "dev-server"])
        #expect(rows[0].summary() == #""exit 1: npm ERR! network timeout""#)
        #expect(
            rows[1].summary()
                == #"deps-install failed ("exit 1: npm ERR! network timeout"), via deps-install -> dev-server"#)
    }

    @Test func defaultSortIsByAttention() {
        #expect(
            Fixture.model().unitRows.map(\.name) == [
                "deps-install", "dev-server", "claude", "mcp-proxy", "vault-token", "dotfiles", "editor-server",
                "git-clone",
            ])
    }

    @Test func sortKeysKeepFailuresPinned() {
        var model = Fixture.model()
        _ = model.handle(.character("s"))
        #expect(model.sortKey == .name && model.sortAscending)
        #expect(
            model.unitRows.map(\.name) == [
                "deps-install", "dev-server", "claude", "dotfiles", "editor-server", "git-clone", "mcp-proxy",
                "vault-token",
            ])
        _ = model.handle(.character("s"))
        #expect(model.sortKey == .wait && !model.sortAscending, "durations sort longest first")
        #expect(
            model.unitRows.map(\.name) == [
                "dev-server", "deps-install", "mcp-proxy", "claude", "editor-server", "dotfiles", "git-clone",
                "vault-token",
            ])
        _ = model.handle(.character("r"))
        #expect(
            model.unitRows.map(\.name) == [
                "deps-install", "dev-server", "dotfiles", "git-clone", "vault-token", "editor-server", "claude",
                "mcp-proxy",
            ])
    }

    @Test func filterMatchesNamesAndStatuses() {
        var model = Fixture.model()
        for key: Key in [.character("/"), .character("S"), .character("e"), .character("r")] { _ = model.handle(key) }
        #expect(model.unitRows.map(\.name) == ["dev-server", "editor-server"], "case-insensitive substring")
        _ = model.handle(.escape)
        for key: Key in [.character("/"), .character("f"), .character("a"), .character("i"), .enter] {
            _ = model.handle(key)
        }
        #expect(model.unitRows.map(\.name) == ["deps-install"], "the status word matches too")
        #expect(!model.isEditingFilter && model.filter == "fai")
    }

    @Test func selectionFollowsTheUnitWhenRowsMove() {
        var model = Fixture.model(upTo: 10, now: 10)
        _ = model.handle(.character("G"))
        let last = model.unitRows.last!.name
        #expect(model.selectedUnit == last)
        _ = model.handle(.character("k"))
        let selected = model.selectedUnit!
        for event in Fixture.startupEvents where event.time > Fixture.at(10) { model.apply(.event(event)) }
        let rows = model.unitRows
        #expect(model.selectedUnit == selected)
        #expect(rows[model.selectedIndex(in: rows)!].name == selected)
    }

    @Test func selectionFallsBackToTheFirstRowWhenFilteredOut() {
        var model = Fixture.model()
        _ = model.handle(.character("G"))
        for key: Key in [.character("/"), .character("c"), .character("l"), .character("a")] { _ = model.handle(key) }
        let rows = model.unitRows
        #expect(rows.map(\.name) == ["claude"] && model.selectedIndex(in: rows) == 0)
        _ = model.handle(.escape)
        #expect(model.cursorUnit == "git-clone", "the selection comes back when the filter goes")
    }

    @Test func pauseQueuesInputsAndResumeAppliesThem() {
        var model = Fixture.model(upTo: 10, now: 10)
        _ = model.handle(.character("p"))
        #expect(model.isPaused)
        for event in Fixture.startupEvents where event.time > Fixture.at(10) { model.apply(.event(event)) }
        model.apply(.connection(.reconnecting(since: Fixture.at(13), attempt: 1)))
        #expect(model.queued.count == 3)
        #expect(model.graph.status(of: "deps-install") == .started, "nothing changes while paused")
        #expect(model.connection == .reconnecting(since: Fixture.at(13), attempt: 1), "but the connection shows")
        _ = model.handle(.character("p"))
        #expect(!model.isPaused && model.queued.isEmpty)
        #expect(model.graph.status(of: "deps-install") == .failed)
    }

    @Test func duplicateEventsAreIgnored() {
        var model = Fixture.model()
        let version = model.version
        let historyCount = model.history.count
        for event in Fixture.startupEvents.suffix(5) { model.apply(.event(event)) }
        #expect(model.version == version && model.history.count == historyCount)
        #expect(model.lastSequence == 31)
    }

    @Test func reconnectWithASnapshotReplacesTheMirror() throws {
        var model = Fixture.model(upTo: 3, now: 3)
        #expect(model.lastSequence == 22)
        model.apply(.connection(.reconnecting(since: Fixture.at(3), attempt: 1)))
        // The agent restarted and replayed its journal: the snapshot holds everything up to #31.
        var graph = UnitGraph(clock: { Timestamp() })
        for event in Fixture.startupEvents { graph.replay(event) }
        model.apply(.snapshot(graph.snapshot))
        model.apply(.connection(.live))
        model.tick(now: Fixture.at(15))
        #expect(model.lastSequence == 31)
        #expect(model.graph.status(of: "deps-install") == .failed && model.graph.status(of: "claude") == .started)
        #expect(model.isHighlighted("deps-install"), "what changed while away is highlighted")
        let claude = try #require(model.timeline["claude"])
        #expect(claude.waitBeganAt == Fixture.at(0.12) && claude.startedAt == Fixture.at(6.4), "known waits kept")
        let notes = model.history.entries.compactMap { entry -> String? in
            if case .note(_, let text) = entry { return text }
            return nil
        }
        #expect(notes == ["connection lost; reconnecting", "resynchronised at #31: missed #23 to #31", "live again"])
        // The feed resumes from #29: the overlap is ignored.
        let count = model.history.count
        for event in Fixture.startupEvents.suffix(3) { model.apply(.event(event)) }
        #expect(model.history.count == count)
    }

    @Test func resumeWithoutSnapshotAppliesOnlyNewEvents() {
        var model = Fixture.model(upTo: 6.4, now: 7)
        let seen = model.lastSequence!
        model.apply(.connection(.reconnecting(since: Fixture.at(7), attempt: 1)))
        model.apply(.connection(.live))
        for event in Fixture.startupEvents where event.sequence >= seen - 3 { model.apply(.event(event)) }
        #expect(model.lastSequence == 31)
        #expect(model.history.entries.filter { $0.unit != nil }.count == 31, "each event once")
    }

    @Test func aSnapshotFromAResetAgentStartsOver() {
        var model = Fixture.model()
        let script = Script()
        script.at(20).start("fresh")
        model.apply(.snapshot(script.graph.snapshot))
        #expect(model.lastSequence == 2)
        #expect(model.graph.allUnits.map(\.name) == ["fresh"])
        #expect(model.timeline.units.map(\.unit) == ["fresh"])
        script.at(21).complete("fresh")
        for event in script.events { model.apply(.event(event)) }
        #expect(model.graph.status(of: "fresh") == .completed, "new numbering is not mistaken for duplicates")
    }

    @Test func changedRowsAreHighlightedBriefly() {
        let model = Fixture.model()
        #expect(model.isHighlighted("deps-install") && model.isHighlighted("dev-server"))
        #expect(!model.isHighlighted("claude"))
        #expect(!Fixture.model(now: 16).isHighlighted("deps-install"))
    }

    @Test func versionChangesOnlyOnVisibleChanges() {
        var model = Fixture.model(now: 15)
        var version = model.version
        model.tick(now: Fixture.at(15.5))
        #expect(model.version == version, "same second: nothing to redraw")
        model.tick(now: Fixture.at(16))
        #expect(model.version != version)
        version = model.version
        #expect(model.handle(.character("x")) == .none && model.version == version)
        #expect(model.handle(.down) == .redraw && model.version != version)
    }

    @Test func historyIsBounded() {
        var model = DashboardModel(source: "test", now: Fixture.base, historyLimit: 16)
        for event in Fixture.startupEvents { model.apply(.event(event)) }
        #expect(model.history.count <= 18 && model.history.count >= 16)
        #expect(model.history.endID == 31)
        #expect(model.graph.allUnits.count == 7, "the mirror is complete whatever the history keeps")
    }
}

/// Names are bytes: `café` precomposed and decomposed, and `한` precomposed and as jamo, are four rows.
@Suite("Dashboard names as bytes")
struct DashboardByteNameTests {
    @Test func equivalentSpellingsKeepTheirOwnRows() throws {
        let nfc = "caf\u{E9}"
        let nfd = "cafe\u{301}"
        let hangul = "\u{D55C}"
        let jamo = "\u{1112}\u{1161}\u{11AB}"
        var graph = UnitGraph(clock: { Timestamp(microseconds: 5_000_000) })
        try graph.want(nfc, dependsOn: nfd)
        try graph.register(nfd)
        _ = try graph.start(nfd, wait: nil)
        try graph.want(hangul, dependsOn: jamo)
        try graph.fail(jamo, reason: "boom")
        var model = DashboardModel(source: "test", now: Timestamp(microseconds: 6_000_000))
        model.apply(.snapshot(GraphSnapshot(sequence: 0, units: [], edges: [])))
        for event in graph.drainEvents() { model.apply(.event(event)) }
        let rows = model.unitRows
        #expect(rows.count == 4)
        let byBytes = Dictionary(rows.map { (Array($0.name.utf8), $0.status) }, uniquingKeysWith: { $1 })
        #expect(byBytes[Array(nfd.utf8)] == .started)
        #expect(byBytes[Array(nfc.utf8)] == .pending)
        #expect(byBytes[Array(jamo.utf8)] == .failed)
        #expect(byBytes[Array(hangul.utf8)] == .skipped)
        #expect(model.treeLines.count == 4, "two trees of two lines")
        #expect(model.changedAt.count == 4)
    }
}
