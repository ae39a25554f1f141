import Synchronization
import Testing

@testable import SyncCore

/// The time every event of a `fixedGraph()` carries.
let fixedTime = Timestamp(microseconds: 1_000)

/// A graph whose clock always reads `fixedTime`.
func fixedGraph() -> UnitGraph {
    UnitGraph(clock: { fixedTime })
}

/// A clock that reads 1 ms, 2 ms, 3 ms… one tick per read, so each event gets its own time.
final class TickingClock: Sendable {
    private let ticks = Mutex<Int64>(0)

    func now() -> Timestamp {
        ticks.withLock { ticks in
            ticks += 1
            return Timestamp(microseconds: ticks * 1_000)
        }
    }
}

/// A graph whose clock ticks once per event: event N happens at N ms.
func tickingGraph() -> UnitGraph {
    let clock = TickingClock()
    return UnitGraph(clock: { clock.now() })
}

extension StartOutcome {
    /// The start info when the unit started at once.
    var startedInfo: StartInfo? {
        if case .started(let info) = self { return info }
        return nil
    }

    /// The lists reported when the start was parked.
    var parkedLists: (dependencies: [String], unsatisfied: [String])? {
        if case .parked(let dependencies, let unsatisfied) = self { return (dependencies, unsatisfied) }
        return nil
    }
}

extension WaitResolution {
    /// The start info of a parked start that was released well.
    var startedInfo: StartInfo? {
        if case .success(.started(let info)) = result { return info }
        return nil
    }

    /// The units of a completion wait that was released well.
    var completedUnits: [String]? {
        if case .success(.completed(let units)) = result { return units }
        return nil
    }

    /// The error a wait was released with.
    var error: SyncError? {
        if case .failure(let error) = result { return error }
        return nil
    }
}

extension UnitGraph {
    /// Starts `unit`, which must be ready, and returns what `start` reported.
    @discardableResult
    mutating func startNow(_ unit: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> StartInfo {
        try #require(try start(unit, wait: nil).startedInfo, sourceLocation: sourceLocation)
    }

    /// Starts `unit`, which must not be ready, parking the start as wait `id`; returns the lists it reported.
    @discardableResult
    mutating func park(
        _ unit: String, as id: UInt64, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (dependencies: [String], unsatisfied: [String]) {
        try #require(try start(unit, wait: WaitID(id)).parkedLists, sourceLocation: sourceLocation)
    }

    /// Starts and completes `unit`, as a script without dependencies does.
    mutating func run(_ unit: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try startNow(unit, sourceLocation: sourceLocation)
        try complete(unit)
    }

    /// The kinds of the events recorded since the last drain.
    mutating func drainKinds() -> [SyncEvent.Kind] {
        drainEvents().map(\.kind)
    }
}
