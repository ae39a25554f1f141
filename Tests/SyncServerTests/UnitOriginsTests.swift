import SyncCore
import Testing

@testable import SyncServer

/// Which agent made a unit's last change: the last stored event about it, but a parked start's bookkeeping.
struct UnitOriginsTests {
    private func event(_ sequence: UInt64, _ kind: SyncEvent.Kind) -> SyncEvent {
        SyncEvent(sequence: sequence, time: Timestamp(microseconds: Int64(sequence)), kind: kind)
    }

    @Test func theLastChangeOfEachUnitWinsAndWaitsDoNotCount() {
        var origins = UnitOrigins()
        origins.record(event(1, .registered(unit: "db")), by: "sync-agent pid 1 on a")
        origins.record(event(2, .registered(unit: "app")), by: "sync-agent pid 1 on a")
        origins.record(event(3, .waitBegan(unit: "app", unsatisfied: ["db"])), by: "sync-agent pid 2 on b")
        origins.record(
            event(4, .statusChanged(unit: "db", from: .pending, to: .started, reason: nil, cause: nil)),
            by: "sync-agent pid 2 on b")
        origins.record(event(5, .waitEnded(unit: "app", outcome: .timeout)), by: "sync-agent pid 3 on c")
        #expect(origins["db"] == "sync-agent pid 2 on b")
        #expect(origins["app"] == "sync-agent pid 1 on a")
        #expect(origins["nobody"] == nil)
        origins.record(event(6, .noted(unit: "app", note: "x")), by: "sync-agent pid 3 on c")
        #expect(origins["app"] == "sync-agent pid 3 on c")
    }

    /// The stream's `origin` of each recent event, any kind, the oldest forgotten past ``UnitOrigins/recentEvents``.
    @Test func eachRecentEventKeepsItsOwnOrigin() {
        var origins = UnitOrigins()
        origins.record(event(1, .registered(unit: "db")), by: "sync-agent pid 1 on a")
        origins.record(event(2, .waitBegan(unit: "db", unsatisfied: ["x"])), by: "sync-agent pid 2 on b")
        #expect(origins.origin(ofEvent: 1) == "sync-agent pid 1 on a")
        #expect(origins.origin(ofEvent: 2) == "sync-agent pid 2 on b")
        #expect(origins.origin(ofEvent: 3) == nil)
        let last = UnitOrigins.recentEvents + 1
        for sequence in 3...last { origins.record(event(sequence, .noted(unit: "db", note: nil)), by: "c") }
        #expect(origins.origin(ofEvent: 1) == nil)
        #expect(origins.origin(ofEvent: 2) == "sync-agent pid 2 on b")
        #expect(origins.origin(ofEvent: last) == "c")
    }
}
