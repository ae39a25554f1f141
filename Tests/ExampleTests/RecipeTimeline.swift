import Foundation
import Testing

/// What the agent recorded of each unit (`syncctl timeline -o json`): its status and when it started and ended. The
/// recipes' order is checked on this, never on how long a test slept.
struct RecipeTimeline {
    struct Unit {
        var status: String
        /// Microseconds from the timeline's start; nil for a unit that never started (skipped, pending).
        var started: Int64?
        var ended: Int64?
        /// For a skipped unit, the failed unit at the root of its chain.
        var causeRoot: String?
    }

    let units: [String: Unit]

    init(json: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let list = object?["units"] as? [[String: Any]] ?? []
        var units: [String: Unit] = [:]
        for entry in list {
            guard let name = entry["unit_name"] as? String, let status = entry["status"] as? String else { continue }
            units[name] = Unit(
                status: status, started: (entry["started_us"] as? NSNumber)?.int64Value,
                ended: (entry["ended_us"] as? NSNumber)?.int64Value,
                causeRoot: (entry["cause"] as? [String: Any])?["root"] as? String)
        }
        self.units = units
    }

    func status(_ unit: String) -> String? { units[unit]?.status }

    /// Records an issue unless `dependency` completed before `dependent` started.
    func expectCompleted(
        _ dependency: String, before dependent: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let first = units[dependency], let second = units[dependent] else {
            Issue.record(
                "\(dependency) or \(dependent) is not on the timeline: \(units)", sourceLocation: sourceLocation)
            return
        }
        #expect(first.status == "completed", "\(dependency): \(first)", sourceLocation: sourceLocation)
        guard let ended = first.ended, let started = second.started else {
            Issue.record("\(dependency) never ended or \(dependent) never started", sourceLocation: sourceLocation)
            return
        }
        #expect(ended <= started, "\(dependent) started before \(dependency) completed", sourceLocation: sourceLocation)
    }

    /// Records an issue unless `unit` was skipped because `root` failed.
    func expectSkipped(_ unit: String, because root: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            units[unit]?.status == "skipped", "\(unit): \(String(describing: units[unit]))",
            sourceLocation: sourceLocation)
        #expect(
            units[unit]?.causeRoot == root, "\(unit): \(String(describing: units[unit]))",
            sourceLocation: sourceLocation)
        #expect(units[unit]?.started == nil, "\(unit) started", sourceLocation: sourceLocation)
    }
}
