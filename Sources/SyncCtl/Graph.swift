import ArgumentParser
import SyncCore
import SyncProtocol
import SyncReports

struct Graph: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Show the dependency graph with statuses",
        usage: "syncctl graph [-o text|dot|mermaid|json] [--focus <unit>] [--direction td|lr]",
        discussion: """
            Show every unit with its status and what it depends on. text is a tree from the units nothing depends \
            on down through their dependencies; a unit shown before is marked (see above), a dependency nobody \
            registered reads "not registered". dot is Graphviz (syncctl graph -o dot | dot -Tsvg > graph.svg) and \
            mermaid a flowchart for Markdown, both with nodes coloured by status and edges labelled with the status \
            they require. json lists units and edges sorted by name.

            --focus keeps only a unit, everything it depends on and everything that depends on it. A name that is \
            not in the graph is refused (exit 1), with a close name suggested when there is one.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case dot
        case mermaid
        case json
    }

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Output format.") var output: Format = .text
    @Option(help: ArgumentHelp("Show only this unit's upstream and downstream.", valueName: "unit"))
    var focus: String?
    @Option(help: "Layout of dot and mermaid: td (top down) or lr (left to right).")
    var direction: GraphExport.Direction = .topDown

    func run() async throws {
        let snapshot = try await global.withClient(prefix: "get graph failed") { try await $0.snapshot() }
        var export = GraphExport(snapshot: snapshot)
        if let focus {
            guard let focused = export.focused(on: focus) else { throw Self.unknownUnit(focus, among: export.names) }
            export = focused
        }
        switch output {
        case .text: Output.raw(export.text())
        case .dot: Output.raw(export.dot(direction: direction))
        case .mermaid: Output.raw(export.mermaid(direction: direction))
        case .json: Output.line(export.json.pretty)
        }
    }

    /// `unit "gti" is not in the graph`, with a close name as the hint when there is one.
    static func unknownUnit(_ unit: String, among names: [String]) -> CommandFailure {
        let hint = WhyReport.suggestion(for: unit, among: names).map { "did you mean \(goQuoted($0))?" }
        return CommandFailure(
            .refused, "unit \(goQuoted(unit)) is not in the graph",
            hint: hint ?? "syncctl graph shows every unit and the dependencies they name")
    }
}

extension GraphExport.Direction: ExpressibleByArgument {}
