import ArgumentParser
import SyncCore
import SyncProtocol

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List all registered units and their statuses",
        usage: "syncctl list [-o table|json] [-c <columns>]",
        discussion: """
            List all units currently registered with the agent. Shows each unit's name, status, and whether it is \
            ready to start.
            """
    )

    static let columns = ["unit", "status", "ready"]

    @OptionGroup var global: GlobalOptions
    @OptionGroup(title: "Columns (\(columns.joined(separator: ", ")))") var columns: ColumnSelection
    @Option(name: [.short, .long], help: "Output format.") var output: OutputFormat = .table
    @Argument(help: .hidden) var ignored: [String] = []

    func run() async throws {
        let chosen = try columns.resolve(from: Self.columns)
        let units = try await global.withClient(prefix: "list units failed") { try await $0.list() }
        switch output {
        case .json: Output.line(Self.json(units).pretty)
        case .table: Output.raw(Self.table(units, columns: chosen))
        }
    }

    /// coder's JSON shape: one object per unit, in the agent's order; `note` and `readiness` follow only when the
    /// unit has them.
    static func json(_ units: [UnitInfo]) -> JSON {
        .array(
            units.map {
                .object(
                    [
                        ("unit_name", .string($0.name)), ("status", .string($0.status.rawValue)),
                        ("is_ready", .bool($0.isReady)),
                    ] + extras($0))
            })
    }

    /// `note`, `readiness` (`{"checks":[…],"attempts":12,"result":…,"started_us":…}`) and `changed_by` (which
    /// agent made the last change, from an agent on a shared store: `sync-agent pid 4242 on build-7`), each only
    /// when set.
    static func extras(_ info: UnitInfo) -> [(String, JSON)] {
        var pairs: [(String, JSON)] = []
        if let note = info.note { pairs.append(("note", .string(note))) }
        if let readiness = info.readiness { pairs.append(("readiness", readiness.json)) }
        if let changedBy = info.changedBy { pairs.append(("changed_by", .string(changedBy))) }
        return pairs
    }

    /// coder's table of `columns`, or a line saying no unit is registered.
    static func table(_ units: [UnitInfo], columns: [String]) -> String {
        guard !units.isEmpty else { return "No units registered\n" }
        let rows = units.map { unit in
            columns.map { column -> String in
                switch column {
                case "unit": return unit.name
                case "status": return unit.status.rawValue
                default: return String(unit.isReady)
                }
            }
        }
        return Table(headers: columns, rows: rows).rendered
    }
}
