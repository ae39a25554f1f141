import ArgumentParser
import SyncClient
import SyncCore
import SyncOS
import SyncProtocol

@preconcurrency import Glibc

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print every change of the graph as it happens",
        usage: "syncctl watch [-o text|json] [--since <seq>]",
        discussion: """
            One line per event, in order, as the agent records them: registrations, dependencies, status changes \
            (with reasons and causes), waits beginning and ending. Starts with a snapshot of the graph as it is \
            now (one line per unit), then prints every change from then on. With --since N it prints instead \
            every event after sequence number N the agent still holds (--since 0: all of them), or a snapshot when \
            it no longer holds them. With -o json each line is a JSON object, ready for jq. If the agent restarts, \
            watch reconnects and resumes where it was; an agent that came back without its state sends a fresh \
            snapshot first. Stop it with Ctrl-C.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Output format.") var output: Format = .text
    @Option(
        help: ArgumentHelp(
            "Replay the events after this sequence number (0: all the agent holds) instead of starting with a "
                + "snapshot.", valueName: "seq"))
    var since: UInt64?

    func run() async throws {
        let follower = StreamFollower(socketPath: global.socket, clientName: "syncctl watch")
        let json = output == .json
        let offset = SystemClock.utcOffset()
        let socket = global.socket
        let task = Task {
            try await follower.run(since: since, retryFirstConnection: false) { update in
                switch update {
                case .connected:
                    break
                case .lost(let error, let attempt):
                    if attempt == 1 { Output.error("syncctl: lost the agent (\(error.message)); reconnecting") }
                case .item(.snapshot(let instance, let snapshot)):
                    Output.raw(json ? Self.json(snapshot, instance: instance) : Self.text(snapshot, offset: offset))
                case .item(.event(let event, _)):
                    Output.line(json ? event.json.compact : Self.text(event, offset: offset))
                case .item(.store(let reachability)):
                    Output.error(Self.note(reachability))
                }
            }
        }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { _ in task.cancel() }
        defer { withExtendedLifetime(signals) {} }
        do {
            try await task.value
        } catch let error as WireError {
            throw CommandFailure(error, prefix: "watch failed", socket: socket)
        }
    }

    /// The line on stderr when the agent's shared store becomes unreachable (as after a stale read) or reachable
    /// again; stdout stays the events'.
    static func note(_ reachability: StoreReachability) -> String {
        reachability.staleRead?.note
            ?? "note: the shared store \(reachability.store) is reachable again; the events go on from here"
    }

    /// `13:19:18.123  #12  git  pending -> started`.
    static func text(_ event: SyncEvent, offset: Int) -> String {
        let prefix = "\(clock(event.time, offset))  #\(event.sequence)  \(event.unit)  "
        switch event.kind {
        case .registered: return prefix + "registered (pending)"
        case .dependencyAdded(_, let dependency, let required):
            return prefix + "depends on \(dependency) (\(required.rawValue))"
        case .statusChanged(_, let from, let to, let reason, let cause, _):
            var line = prefix + "\(from.display) -> \(to.rawValue)"
            if let reason { line += " (\(goQuoted(reason)))" }
            if let cause { line += ": \(cause.rootDescription), via \(cause.chainDescription)" }
            return line
        case .waitBegan(_, let unsatisfied): return prefix + "waits for [\(unsatisfied.joined(separator: ", "))]"
        case .waitEnded(_, let outcome): return prefix + "wait ended: \(outcome.rawValue.replacingUnderscores)"
        case .noted(_, let note): return prefix + (note.map { "note \(goQuoted($0))" } ?? "note cleared")
        case .readiness(_, let report):
            let checks =
                report.checks.isEmpty ? "every check passed" : "waits for [\(report.checks.joined(separator: ", "))]"
            return prefix + "readiness: \(checks), attempt \(report.attempts)"
                + (report.result.map { " (\(goQuoted($0)))" } ?? "")
        }
    }

    static func text(_ snapshot: GraphSnapshot, offset: Int) -> String {
        var lines = ["snapshot at #\(snapshot.sequence): \(snapshot.units.count) units"]
        for unit in snapshot.units {
            lines.append("  \(unit.name)  \(unit.status.rawValue) since \(clock(unit.since, offset))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ snapshot: GraphSnapshot, instance: String) -> String {
        guard case .object(let fields) = snapshot.json else { return "" }
        return JSON.object([("kind", "snapshot"), ("instance", .string(instance))] + fields).compact + "\n"
    }

    /// Local time of day with milliseconds.
    static func clock(_ time: Timestamp, _ offset: Int) -> String {
        let local = Timestamp(microseconds: time.rawValue + Int64(offset) * 1_000_000)
        let millis = (local.rawValue / 1000) % 1000
        return local.timeOfDay + "." + String(millis + 1000).dropFirst()
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
