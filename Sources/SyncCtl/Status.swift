import ArgumentParser
import SyncCore
import SyncProtocol
import SyncReports

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show unit status and dependency state",
        usage: "syncctl status <unit> [-o table|json] [-c <columns>]",
        discussion: """
            Show the current status of a unit, whether it is ready to start, and lists its dependencies. Shows \
            which dependencies are satisfied and which are still pending.
            """
    )

    static let columns = ["depends on", "required status", "current status", "satisfied"]

    @OptionGroup var global: GlobalOptions
    @OptionGroup(title: "Columns (\(columns.joined(separator: ", ")))") var columns: ColumnSelection
    @Option(name: [.short, .long], help: "Output format.") var output: OutputFormat = .table
    @Argument(help: ArgumentHelp("The unit to show.", valueName: "unit")) var arguments: [String] = []

    func run() async throws {
        let unit = try Arity.exactlyOneUnit(arguments)
        try Arity.refuseEmptyNameAsStatus(unit)
        let chosen = try columns.resolve(from: Self.columns)
        let report = try await global.withClient(prefix: "get status failed") { try await $0.status(unit) }
        switch output {
        case .json: Output.line(Self.json(report).pretty)
        case .table: Output.raw(Self.table(report, unit: unit, columns: chosen))
        }
    }

    /// coder's text: the unit, its status and readiness, its note and its service's readiness when it has them
    /// (`Readiness: waiting for tcp:127.0.0.1:5432 (attempt 12: connection refused)`), then its dependencies in
    /// `columns` (or a line saying there are none).
    static func table(_ report: UnitStatusReport, unit: String, columns: [String]) -> String {
        let note = report.info?.note.map { "Note: \($0)\n" } ?? ""
        let readiness = report.info.flatMap(ReadinessText.describe).map { "Readiness: \($0)\n" } ?? ""
        let text = """
            Unit: \(unit)
            Status: \((report.info?.status).display)
            Ready: \(report.isReady)
            \(note)\(readiness)
            Dependencies:

            """
        guard !report.dependencies.isEmpty else { return text + "No dependencies found\n" }
        let rows = report.dependencies.map { dependency in
            columns.map { column -> String in
                switch column {
                case "depends on": return dependency.dependsOn
                case "required status": return dependency.requiredStatus.rawValue
                case "current status": return dependency.currentStatus.display
                default: return String(dependency.isSatisfied)
                }
            }
        }
        return text + Table(headers: columns, rows: rows).rendered
    }

    /// coder's JSON shape, with dependencies sorted and `[]` when there are none, and `note` and `readiness` last
    /// when the unit has them.
    static func json(_ report: UnitStatusReport) -> JSON {
        let note = report.info.map(List.extras) ?? []
        return .object(
            [
                ("unit_name", .string(report.unit)), ("status", .string(report.info?.status.rawValue ?? "")),
                ("is_ready", .bool(report.isReady)),
                (
                    "dependencies",
                    .array(
                        report.dependencies.map {
                            .object([
                                ("depends_on", .string($0.dependsOn)),
                                ("required_status", .string($0.requiredStatus.rawValue)),
                                ("current_status", .string($0.currentStatus.wireValue)),
                                ("is_satisfied", .bool($0.isSatisfied)),
                            ])
                        })
                ),
            ] + note)
    }
}
