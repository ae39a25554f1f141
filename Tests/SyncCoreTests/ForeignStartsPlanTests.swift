import Testing

@testable import SyncCore

/// ``UnitGraph/foreignStartsPlan()``: the events a settle of parked starts would record, worked out without
/// recording them, must be exactly what ``UnitGraph/settleForeignStarts(at:)`` then records (an agent stores the
/// plan first, and settles only once it is stored); a settle that could reach further has no plan.
struct ForeignStartsPlanTests {
    private static let time = Timestamp(microseconds: 42)

    /// Graph `b` with the starts `parks` parked (wait ids 1, 2, …, tokens `t1`, `t2`, …) on `units`, declared by
    /// `a`, which then does `change`; `b` applies what `a` recorded.
    private func parked(
        _ parks: [String], declare: (inout UnitGraph) throws -> Void, change: (inout UnitGraph) throws -> Void
    ) throws -> UnitGraph {
        var a = fixedGraph()
        var b = fixedGraph()
        try declare(&a)
        for event in a.drainEvents() { b.applyForeign(event) }
        for (index, unit) in parks.enumerated() {
            _ = try b.start(unit, wait: WaitID(UInt64(index + 1)), token: "t\(index + 1)")
        }
        for event in b.drainEvents() { a.applyForeign(event) }
        try change(&a)
        for event in a.drainEvents() { b.applyForeign(event) }
        return b
    }

    /// Checks the plan against the settle. - Returns: the events recorded.
    private func settleMatchesPlan(_ graph: inout UnitGraph) -> [SyncEvent] {
        guard let plan = graph.foreignStartsPlan() else {
            Issue.record("no plan")
            return []
        }
        let first = graph.nextSequence
        graph.settleForeignStarts(at: Self.time)
        let recorded = graph.drainEvents()
        let planned = plan.enumerated().map { SyncEvent(sequence: first + UInt64($0), time: Self.time, kind: $1) }
        #expect(recorded == planned)
        return recorded
    }

    @Test func aReadyUnitStartsForItsFirstParkedStartAndRefusesTheOthers() throws {
        var b = try parked(["app", "app"], declare: { try $0.want("app", dependsOn: "db") }) {
            _ = try $0.start("db", wait: nil)
            try $0.complete("db")
        }
        let recorded = settleMatchesPlan(&b)
        #expect(recorded.count == 3)
        #expect(b.info("app")?.startedBy == "t1")
        let outcomes = b.drainResolutions().map { resolution -> String in
            if case .failure(let error) = resolution.result { return "\(resolution.id.rawValue) \(error.code)" }
            return "\(resolution.id.rawValue) started"
        }
        #expect(outcomes == ["1 started", "2 \(ErrorCode.sameStatus)"])
    }

    @Test func startsOfUnitsStartedOrFailedElsewhereArePlannedToo() throws {
        var started = try parked(["app"], declare: { try $0.want("app", dependsOn: "db") }) {
            _ = try $0.start("db", wait: nil)
            try $0.complete("db")
            _ = try $0.start("app", wait: nil)
        }
        #expect(settleMatchesPlan(&started).count == 1)
        var failed = try parked(["app", "app"], declare: { try $0.want("app", dependsOn: "db") }) {
            try $0.fail("db", reason: "disk full")
        }
        #expect(settleMatchesPlan(&failed).count == 2)
    }

    @Test func severalUnitsReadyAtOnceAreSettledInOrder() throws {
        var b = try parked(
            ["web", "app", "api"],
            declare: {
                for unit in ["web", "app", "api"] { try $0.want(unit, dependsOn: "db") }
            }
        ) {
            _ = try $0.start("db", wait: nil)
            try $0.complete("db")
        }
        let recorded = settleMatchesPlan(&b)
        #expect(recorded.count == 6)
        #expect(["api", "app", "web"].allSatisfy { b.status(of: $0) == .started })
    }

    @Test func aSettleThatCouldReleaseAnotherParkedStartHasNoPlan() throws {
        // "log" waits for "app" to be started: starting app would make log's parked start ready in the same step.
        let b = try parked(
            ["app", "log"],
            declare: {
                try $0.want("app", dependsOn: "db")
                try $0.want("log", dependsOn: "db")
                try $0.addDependency("log", on: "app", requiring: .started)
            }
        ) {
            _ = try $0.start("db", wait: nil)
            try $0.complete("db")
        }
        #expect(b.hasForeignStarts)
        #expect(b.foreignStartsPlan() == nil)
    }

    @Test func aUnitNotReadyAnyMoreHasAnEmptyPlanAndRecordsNothing() throws {
        var b = try parked(["app"], declare: { try $0.want("app", dependsOn: "db") }) {
            _ = try $0.start("db", wait: nil)
            try $0.complete("db")
            try $0.want("app", dependsOn: "cache")
        }
        #expect(b.foreignStartsPlan() == [])
        b.settleForeignStarts(at: Self.time)
        #expect(b.drainEvents().isEmpty)
        #expect(b.drainResolutions().isEmpty)
    }
}
