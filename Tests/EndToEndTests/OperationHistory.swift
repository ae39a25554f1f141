import Foundation
import Synchronization

/// What clients saw acknowledged, checked against the log a shared store ended with (a linearizability-style
/// check): every acknowledged operation is in the log; an operation acknowledged before another was invoked comes
/// before it in the log (so each client's own order holds too); and no unit was started before a dependency it
/// required completed had completed.
final class OperationHistory: Sendable {
    /// One operation a client saw acknowledged (exit 0).
    struct Operation: Sendable, CustomStringConvertible {
        enum Kind: String, Sendable {
            case want, start, complete, fail
        }

        var client: Int
        var kind: Kind
        var unit: String
        /// `want`'s dependency.
        var dependency: String?
        /// When the client first asked (a retried request counts from its first attempt: an attempt whose answer
        /// was lost may have been stored).
        var invoked: ContinuousClock.Instant
        var acknowledged: ContinuousClock.Instant

        var description: String {
            "client \(client): \(kind) \(unit)\(dependency.map { " \($0)" } ?? "")"
        }
    }

    private struct State {
        var operations: [Operation] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var all: [Operation] { state.withLock { $0.operations } }

    func record(_ operation: Operation) {
        let ready = state.withLock { state in
            state.operations.append(operation)
            let count = state.operations.count
            defer { state.waiters.removeAll { $0.count <= count } }
            return state.waiters.filter { $0.count <= count }.map(\.continuation)
        }
        ready.forEach { $0.resume() }
    }

    /// Returns once `count` operations were recorded.
    func waitUntil(count: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state in
                guard state.operations.count < count else { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// What is wrong with the history against `events` (the store's, oldest first); empty when it holds.
    func violations(in events: [[String: Any]]) -> [String] {
        let recorded = all
        var problems: [String] = []
        var sequences: [Int] = []
        for operation in recorded {
            guard let sequence = Self.sequence(of: operation, in: events) else {
                problems.append("acknowledged but not in the log: \(operation)")
                sequences.append(-1)
                continue
            }
            sequences.append(sequence)
        }
        // Real-time order: acknowledged before the other was invoked → earlier in the log.
        for (i, first) in recorded.enumerated() where sequences[i] >= 0 {
            for (j, second) in recorded.enumerated() where j != i && sequences[j] >= 0 {
                if first.acknowledged < second.invoked && sequences[i] >= sequences[j] {
                    problems.append(
                        "\(first) (event \(sequences[i])) was acknowledged before \(second) (event \(sequences[j])) "
                            + "was asked, but comes after it in the log")
                }
            }
        }
        problems += Self.startsBeforeDependencies(in: events)
        return problems
    }

    /// The log's sequence number of the event that records `operation`: its first one.
    private static func sequence(of operation: Operation, in events: [[String: Any]]) -> Int? {
        let event = events.first { event in
            guard event["unit"] as? String == operation.unit else { return false }
            switch operation.kind {
            case .want:
                return event["kind"] as? String == "dependency_added"
                    && event["depends_on"] as? String == operation.dependency
            case .start, .complete, .fail:
                let to = ["start": "started", "complete": "completed", "fail": "failed"][operation.kind.rawValue]
                return event["kind"] as? String == "status_changed" && event["to"] as? String == to
            }
        }
        return event?["seq"] as? Int
    }

    /// Units started while a dependency they required completed had not completed, replaying the log.
    static func startsBeforeDependencies(in events: [[String: Any]]) -> [String] {
        var required: [String: [String: String]] = [:]
        var status: [String: String] = [:]
        var problems: [String] = []
        for event in events {
            guard let unit = event["unit"] as? String, let kind = event["kind"] as? String else { continue }
            if kind == "dependency_added", let dependency = event["depends_on"] as? String {
                required[unit, default: [:]][dependency] = event["required"] as? String ?? "completed"
            } else if kind == "status_changed", let to = event["to"] as? String {
                if to == "started" {
                    for (dependency, needed) in required[unit] ?? [:] where needed == "completed" {
                        if status[dependency] != "completed" {
                            problems.append(
                                "\(unit) started at event \(event["seq"] ?? "?") while its dependency \(dependency) "
                                    + "was \(status[dependency] ?? "unknown")")
                        }
                    }
                }
                status[unit] = to
            }
        }
        return problems
    }
}
