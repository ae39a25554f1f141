import Testing

@testable import SyncCore

/// An agent behind its shared store's retention takes the store's graph whole (``UnitGraph/adoptReloaded(_:)``) and
/// keeps its parked waits, which meet the new state as a catch-up would have made them meet it.
struct ReloadTests {
    @Test func parkedWaitsMeetTheReloadedStateAsACatchUpWould() throws {
        // `a` is the store (and the other agents); `b` parked its waits, then lost every event after that.
        var a = fixedGraph()
        try a.want("app", dependsOn: "db")
        try a.want("api", dependsOn: "broken")
        try a.want("web", dependsOn: "cache")
        var b = fixedGraph()
        for event in a.drainEvents() { b.applyForeign(event) }
        for (unit, id) in [("app", 1), ("api", 2), ("web", 3)] {
            guard case .parked = try b.start(unit, wait: WaitID(UInt64(id))) else {
                Issue.record("\(unit) did not park")
                return
            }
        }
        #expect(try b.awaitCompletion(of: ["db"], wait: WaitID(4)) == .parked(remaining: ["db"]))
        #expect(try b.awaitCompletion(of: ["broken", "db"], wait: WaitID(5)) == .parked(remaining: ["broken", "db"]))
        #expect(try b.awaitCompletion(of: ["cache"], wait: WaitID(6)) == .parked(remaining: ["cache"]))
        for event in b.drainEvents() { a.applyForeign(event) }
        _ = try a.start("db", wait: nil)
        try a.complete("db")
        _ = try a.fail("broken", reason: "exit 1")
        _ = a.drainEvents()
        let reloaded = UnitGraph(snapshot: a.snapshot, clock: { fixedTime })

        b.adoptReloaded(reloaded)
        #expect(b.snapshot.units.map(\.status) == a.snapshot.units.map(\.status))
        #expect(b.nextSequence == a.nextSequence)
        #expect(b.drainEvents().isEmpty, "a reload records nothing")
        // Completion waits: db completed (4), broken failed (5); cache is still pending (6 waits on).
        let resolved = b.drainResolutions()
        #expect(resolved.map(\.id) == [WaitID(4), WaitID(5)])
        #expect(resolved.first?.result == .success(.completed(units: ["db"])))
        if case .failure(let error) = resolved.last?.result { #expect(error.code == .unitFailed) }
        // Starts: app is ready now and api's dependency failed (api was skipped); both are settled in a change.
        #expect(b.hasForeignStarts)
        b.settleForeignStarts()
        let settled = b.drainResolutions()
        #expect(Set(settled.map(\.id)) == [WaitID(1), WaitID(2)])
        #expect(b.status(of: "app") == .started)
        #expect(b.hasParkedStarts, "web's start still waits for cache")
        // cache completing elsewhere later releases what is left.
        _ = try a.start("cache", wait: nil)
        try a.complete("cache")
        for event in a.drainEvents() { b.applyForeign(event) }
        #expect(b.drainResolutions().map(\.id) == [WaitID(6)])
        b.settleForeignStarts()
        #expect(b.drainResolutions().map(\.id) == [WaitID(3)])
        #expect(b.status(of: "web") == .started)
    }
}
