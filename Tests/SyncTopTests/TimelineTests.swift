import SyncCore
import SyncProtocol
import SyncReports
import SyncTop
import Testing

/// `Timeline` (SyncReports): waits, runs and the critical path from events with fixed timestamps.
@Suite("Timeline")
struct TimelineTests {
    let startup = Timeline(events: Fixture.startupEvents)
    let now = Fixture.at(15)

    @Test func unitThatWaitedThenRan() throws {
        let claude = try #require(startup["claude"])
        #expect(claude.registeredAt == Fixture.at(0.10))
        #expect(claude.waitBeganAt == Fixture.at(0.12))
        #expect(claude.waitEndedAt == Fixture.at(6.4))
        #expect(claude.startedAt == Fixture.at(6.4))
        #expect(claude.endedAt == nil && claude.endStatus == nil)
        #expect(claude.waitDuration(now: now) == 6_280_000)
        #expect(claude.runDuration(now: now) == 8_600_000, "an open run is measured up to now")
    }

    @Test func unitThatFailed() throws {
        let deps = try #require(startup["deps-install"])
        #expect(deps.endedAt == Fixture.at(12.7))
        #expect(deps.endStatus == .failed)
        #expect(deps.runDuration(now: now) == 6_300_000)
    }

    @Test func skippedUnitWaitedAndNeverRan() throws {
        let dev = try #require(startup["dev-server"])
        #expect(dev.endStatus == .skipped)
        #expect(dev.waitDuration(now: now) == 12_290_000)
        #expect(dev.runDuration(now: now) == nil)
    }

    @Test func unitStillWaitingIsMeasuredToNow() throws {
        let proxy = try #require(startup["mcp-proxy"])
        #expect(proxy.isWaiting)
        #expect(proxy.waitDuration(now: now) == 14_490_000)
        #expect(startup["vault-token"] == nil, "a dependency nobody registered has no entry")
    }

    @Test func unitThatNeverWaited() throws {
        let dotfiles = try #require(startup["dotfiles"])
        #expect(dotfiles.waitDuration(now: now) == nil)
        #expect(dotfiles.runDuration(now: now) == 2_100_000)
    }

    @Test func spanRunsToNowWhileAnythingIsOpen() throws {
        let span = try #require(startup.span(now: now))
        #expect(span.start == Fixture.base)
        #expect(span.end == now)
    }

    @Test func spanEndsAtTheLastEndWhenAllFinished() throws {
        let script = Script()
        script.at(0).start("a").at(1).want("b", "a").start("b").at(3).complete("a").at(7).complete("b")
        let timeline = Timeline(events: script.events)
        let span = try #require(timeline.span(now: Fixture.at(100)))
        #expect(span.start == Fixture.base && span.end == Fixture.at(7))
    }

    @Test func criticalPathFollowsTheGatingDependency() {
        #expect(startup.criticalPath(now: now) == ["git-clone", "claude"])
    }

    /// a runs 0–2 and b 0–5; c waits on both and runs 5–8; d depends on c but starts at 9 without waiting.
    @Test func criticalPathStopsAtAUnitThatDidNotWait() {
        let script = Script()
        script.at(0).start("a").start("b").want("c", "a").want("c", "b").start("c")
        script.at(2).complete("a").at(5).complete("b").at(8).complete("c")
        script.at(8.5).want("d", "c").at(9).start("d").at(12).complete("d")
        let timeline = Timeline(events: script.events)
        #expect(timeline.criticalPath(now: Fixture.at(20)) == ["d"])
        script.at(13).want("e", "zz").start("e").at(14).start("zz").at(15).complete("zz").at(18).complete("e")
        #expect(Timeline(events: script.events).criticalPath(now: Fixture.at(20)) == ["zz", "e"])
    }

    @Test func criticalPathThroughAChain() {
        let script = Script()
        script.at(0).start("a").want("b", "a").start("b").want("c", "b").start("c")
        script.at(2).complete("a").at(5).complete("b").at(9).complete("c")
        #expect(Timeline(events: script.events).criticalPath(now: Fixture.at(10)) == ["a", "b", "c"])
    }

    @Test func criticalPathIsEmptyBeforeAnythingStarts() {
        let script = Script()
        script.at(0).want("b", "a")
        #expect(Timeline(events: script.events).criticalPath(now: Fixture.at(1)).isEmpty)
    }

    @Test func retryStartsANewRun() throws {
        let script = Script()
        script.at(0).start("git").at(2).fail("git", "exit 128").at(5).start("git")
        var entry = try #require(Timeline(events: script.events)["git"])
        #expect(entry.startedAt == Fixture.at(5) && entry.endedAt == nil && entry.status == .started)
        script.at(6).complete("git")
        entry = try #require(Timeline(events: script.events)["git"])
        #expect(entry.runDuration(now: Fixture.at(50)) == 1_000_000 && entry.endStatus == .completed)
    }

    @Test func snapshotGivesWhatItKnows() throws {
        let script = Script()
        script.at(0).start("git").at(1).want("claude", "git").start("claude").at(2).want("x", "y")
        script.at(3).start("dotfiles").complete("dotfiles")
        let timeline = Timeline(snapshot: script.graph.snapshot, events: [])
        let git = try #require(timeline["git"])
        #expect(git.startedAt == Fixture.base && git.endedAt == nil)
        let claude = try #require(timeline["claude"])
        #expect(claude.isWaiting && claude.waitBeganAt == Fixture.at(1), "parked starts count as waiting since")
        let dotfiles = try #require(timeline["dotfiles"])
        #expect(dotfiles.endStatus == .completed && dotfiles.startedAt == nil)
        #expect(timeline.dependencies(of: "claude") == ["git"])
    }

    @Test func mergeKeepsWhatEventsToldForConfirmedUnits() throws {
        let script = Script()
        script.at(0).start("git").at(1).want("claude", "git").start("claude")
        var timeline = Timeline(events: script.events)
        script.at(4).complete("git")
        timeline.merge(script.graph.snapshot)
        let claude = try #require(timeline["claude"])
        #expect(claude.waitBeganAt == Fixture.at(1) && claude.startedAt == Fixture.at(4))
        #expect(timeline["git"]?.endStatus == .completed)
    }

    /// A wait far shorter than a cell just before a long run: the timeline view keeps one `░` for it (the run used
    /// to cover it), as `syncctl timeline` does.
    @Test func aShortWaitStaysVisibleInTheTimelineView() throws {
        let started = #""kind":"status_changed","from":"pending","to":"started","reason":null,"cause":null"#
        let events: [(Int64, String)] = [
            (0, #""kind":"registered","unit":"long""#), (0, started + #","unit":"long""#),
            (10_000_000, #""kind":"registered","unit":"quick""#),
            (10_000_000, #""kind":"wait_began","unit":"quick","unsatisfied":["long"]"#),
            (10_001_000, #""kind":"wait_ended","unit":"quick","outcome":"started""#),
            (10_001_000, started + #","unit":"quick""#),
        ]
        let lines = events.enumerated().map { index, event in
            #"{"seq":\#(index + 1),"time_us":\#(Fixture.base.rawValue + event.0),\#(event.1)}"#
        }
        var model = DashboardModel(source: "/run/user/1000/sync-agent.sock", now: Fixture.at(60))
        model.apply(.connection(.live))
        for line in lines { model.apply(.event(try #require(SyncEvent(json: try JSON.parse(line))))) }
        _ = model.handle(.resize(Size(width: 120, height: 35)))
        _ = model.handle(.character("3"))
        let screen = Renderer.render(model, theme: .standard).text
        let row = try #require(screen.split(separator: "\n").first { $0.contains(" quick ") })
        #expect(row.contains("░█"), "\(row)")
    }
}
