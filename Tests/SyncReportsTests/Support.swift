import SyncCore
import Synchronization
import Testing

/// A graph whose clock always reads 1 ms.
func fixedGraph() -> UnitGraph {
    UnitGraph(clock: { Timestamp(microseconds: 1_000) })
}

/// A graph whose clock ticks once per read: event N happens at N ms.
func tickingGraph() -> UnitGraph {
    let ticks = Mutex<Int64>(0)
    return UnitGraph(clock: {
        ticks.withLock { ticks in
            ticks += 1
            return Timestamp(microseconds: ticks * 1_000)
        }
    })
}

extension UnitGraph {
    /// Starts `unit`, which must not be ready, parking the start as wait `id`.
    mutating func park(_ unit: String, as id: UInt64) throws {
        let outcome = try start(unit, wait: WaitID(id))
        guard case .parked = outcome else { throw UnexpectedOutcome(unit: unit, outcome: "\(outcome)") }
    }

    /// Starts and completes `unit`, which must be ready, as a script without dependencies does.
    mutating func run(_ unit: String) throws {
        let outcome = try start(unit, wait: nil)
        guard case .started = outcome else { throw UnexpectedOutcome(unit: unit, outcome: "\(outcome)") }
        try complete(unit)
    }
}

/// A start that did not do what the test set up.
struct UnexpectedOutcome: Error {
    var unit: String
    var outcome: String
}
