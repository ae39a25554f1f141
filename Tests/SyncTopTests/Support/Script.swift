import SyncCore
import Synchronization

/// Drives a real ``UnitGraph`` at chosen times and collects the events it records, so tests get the exact events
/// an agent would send.
final class Script {
    /// The graph's time, shared with its clock closure.
    private final class Clock: Sendable {
        let time = Mutex<Timestamp>(Fixture.base)
    }

    private let clock = Clock()
    private(set) var graph: UnitGraph
    private(set) var events: [SyncEvent] = []
    private var nextWait: UInt64 = 0

    init() {
        let clock = self.clock
        graph = UnitGraph(clock: { clock.time.withLock { $0 } })
    }

    /// Sets the graph's clock to `base + seconds`.
    func at(_ seconds: Double) -> Script {
        clock.time.withLock { $0 = Fixture.at(seconds) }
        return self
    }

    @discardableResult
    func want(_ unit: String, _ dependency: String) -> Script {
        try! graph.want(unit, dependsOn: dependency)
        return collect()
    }

    @discardableResult
    func start(_ unit: String) -> Script {
        nextWait += 1
        _ = try? graph.start(unit, wait: WaitID(nextWait))
        return collect()
    }

    @discardableResult
    func complete(_ unit: String) -> Script {
        try! graph.complete(unit)
        return collect()
    }

    @discardableResult
    func fail(_ unit: String, _ reason: String? = nil) -> Script {
        try! graph.fail(unit, reason: reason)
        return collect()
    }

    private func collect() -> Script {
        events += graph.drainEvents()
        _ = graph.drainResolutions()
        return self
    }
}
