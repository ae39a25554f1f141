import ArgumentParser
import SyncCore
import SyncOS
import SyncProtocol
import SyncReports

struct Why: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Show what a unit is waiting for",
        usage: "syncctl why <unit> [-o text|json]",
        discussion: """
            Show the chain of unsatisfied dependencies of a unit as a tree, down to the units that are actually \
            running, failed or not registered yet, with how long each has been in its state. A dependency nobody \
            has registered is called out, with a close spelling suggested when another unit's name is near.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Output format.") var output: Format = .text
    @Argument(help: ArgumentHelp("The unit to explain.", valueName: "unit")) var arguments: [String] = []

    func run() async throws {
        let unit = try Arity.exactlyOneUnit(arguments)
        if let problem = UnitName.problem(with: unit) { throw CommandFailure(.refused, "why failed: \(problem)") }
        let snapshot = try await global.withClient(prefix: "why failed") { try await $0.snapshot() }
        let now = SystemClock.now()
        let report = WhyReport(unit: unit, graph: UnitGraph(snapshot: snapshot, clock: { now }))
        switch output {
        case .json: Output.line(Self.json(report.root, now: now).pretty)
        case .text: Output.raw(Self.text(report.root, now: now))
        }
    }

    /// The tree as text: one line per unit, `├──` / `└──` branches; a unit's note follows its state
    /// (`db: started 3s ago, running; note: "migrating 3/10"`).
    static func text(_ root: WhyReport.Node, now: Timestamp) -> String {
        var lines = ["\(root.unit): \(describe(root, now: now, isRoot: true))"]
        func walk(_ node: WhyReport.Node, prefix: String) {
            for (i, child) in node.waitingOn.enumerated() {
                let last = i == node.waitingOn.count - 1
                lines.append(
                    prefix + (last ? "└── " : "├── ") + "\(child.unit): \(describe(child, now: now, isRoot: false))")
                walk(child, prefix: prefix + (last ? "    " : "│   "))
            }
        }
        walk(root, prefix: "")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The state of one node in words, then its service's readiness and its note when it has them (not repeated
    /// on a node shown above): `db: started 3s ago, running; waiting for tcp:127.0.0.1:5432 (attempt 12)`.
    static func describe(_ node: WhyReport.Node, now: Timestamp, isRoot: Bool) -> String {
        var state = describeState(node, now: now, isRoot: isRoot)
        guard !node.isRepeated else { return state }
        if let readiness = node.readiness { state += "; " + readiness }
        if let note = node.note { state += "; note: " + goQuoted(note) }
        return state
    }

    private static func describeState(_ node: WhyReport.Node, now: Timestamp, isRoot: Bool) -> String {
        guard let status = node.status else {
            var text = "not registered: nobody has declared it yet"
            if let suggestion = node.suggestion { text += " (did you mean \(goQuoted(suggestion))?)" }
            return text
        }
        let age = node.since.map { DurationText.between($0, now) } ?? "?"
        if node.isRepeated { return "\(status.rawValue) (shown above)" }
        let waiting = node.waitingOn.count
        let waits = "waiting for \(waiting) \(waiting == 1 ? "dependency" : "dependencies")"
        switch status {
        case .pending:
            if waiting > 0 { return "pending for \(age), \(waits)" }
            return "pending for \(age), ready: its script has not called start yet"
        case .started:
            return isRoot && waiting > 0 ? "started \(age) ago, \(waits)" : "started \(age) ago, running"
        case .completed:
            return isRoot ? "completed \(age) ago; nothing to wait for" : "completed \(age) ago"
        case .failed:
            return node.reason.map { "failed \(age) ago (\(goQuoted($0)))" } ?? "failed \(age) ago"
        case .skipped:
            guard let cause = node.cause else { return "skipped \(age) ago" }
            return "skipped \(age) ago: \(cause.rootDescription), via \(cause.chainDescription)"
        }
    }

    /// `note` and `readiness` (in words) come last, only when the unit has them.
    static func json(_ node: WhyReport.Node, now: Timestamp) -> JSON {
        let note =
            (node.note.map { [("note", JSON.string($0))] } ?? [])
            + (node.readiness.map { [("readiness", JSON.string($0))] } ?? [])
        return .object(
            [
                ("unit", .string(node.unit)), ("status", .string(node.status.wireValue)),
                ("since_us", node.since.map { .int($0.rawValue) } ?? .null),
                ("for_us", node.since.map { .int($0.microseconds(to: now)) } ?? .null),
                ("ready", .bool(node.isReady)), ("reason", .optional(node.reason)),
                ("cause", node.cause?.json ?? .null),
                ("suggestion", .optional(node.suggestion)), ("repeated", .bool(node.isRepeated)),
                ("waiting_on", .array(node.waitingOn.map { json($0, now: now) })),
            ] + note)
    }
}
