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
        case .json:
            let items = units.map {
                JSON.object([("unit_name", .string($0.name)), ("status", .string($0.status.rawValue)), ("is_ready", .bool($0.isReady))])
            }
            Output.line(JSON.array(items).pretty)
        case .table:
            guard !units.isEmpty else {
                Output.line("No units registered")
                return
            }
            let rows = units.map { unit in
                chosen.map { column -> String in
                    switch column {
                    case "unit": return unit.name
                    case "status": return unit.status.rawValue
                    default: return String(unit.isReady)
                    }
                }
            }
            Output.raw(Table(headers: chosen, rows: rows).rendered)
        }
    }
}
