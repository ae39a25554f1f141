import ArgumentParser
@preconcurrency import Glibc
import SyncCore
import SyncOS
import SyncProtocol
import SyncReports

struct Timeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show when each unit waited and ran, and the critical path",
        usage: "syncctl timeline [-o text|json|trace] [--width <columns>] [--ascii]",
        discussion: """
            Show, for every unit, when it was registered (from the first thing any unit did), how long its start \
            waited for dependencies and how long it ran, then a Gantt chart (waiting ░, running █, a service's \
            ready moment ● after its bar) that fits the terminal, and the critical path: the chain of units that decided when the last one finished, marked ◆. \
            Built from the events the agent holds; a wait or run still going on is measured up to now.

            json gives the same figures in microseconds from start_us. trace writes Chrome trace-event JSON, one \
            track per unit with its wait and run as slices: syncctl timeline -o trace > startup.json, then open it \
            in https://ui.perfetto.dev or chrome://tracing.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
        case trace
    }

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Output format.") var output: Format = .text
    @Option(
        help: ArgumentHelp(
            "Width of the text output (default: $COLUMNS, the terminal's width, or 80).", valueName: "columns"))
    var width: Int?
    @Flag(help: "Draw the chart with ASCII characters only.") var ascii = false

    func run() async throws {
        // Checked here rather than in validate(): ArgumentParser would print a CommandFailure thrown there raw.
        if let width, width < 1 { throw CommandFailure(.usage, "--width must be a positive number of columns") }
        let (snapshot, events) = try await global.withClient(prefix: "get timeline failed") { try await $0.history() }
        let report = TimelineReport(snapshot: snapshot, events: events, now: SystemClock.now())
        switch output {
        case .text: Output.raw(report.text(width: width ?? Self.terminalWidth(), ascii: ascii))
        case .json: Output.line(report.json.pretty)
        case .trace: Output.line(report.trace.compact)
        }
    }

    /// `$COLUMNS` when it is a positive number, else the width of the terminal on stdout, else 80.
    static func terminalWidth() -> Int {
        if let text = Environment.value("COLUMNS"), let columns = Int(text), columns > 0 { return columns }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
