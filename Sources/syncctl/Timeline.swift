import ArgumentParser
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SyncCore
import SyncProtocol

struct Timeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show when each unit waited and ran, and the critical path",
        usage: "syncctl timeline [-o text|json|trace] [--width <columns>] [--ascii]",
        discussion: """
            Show, for every unit, when it was registered (from the first thing any unit did), how long its start \
            waited for dependencies and how long it ran, then a Gantt chart (waiting ░, running █) that fits the \
            terminal, and the critical path: the chain of units that decided when the last one finished, marked ◆. \
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
        case .json: Output.line(Self.json(report).pretty)
        case .trace: Output.line(Self.trace(report).compact)
        }
    }

    /// `$COLUMNS` when it is a positive number, else the width of the terminal on stdout, else 80.
    static func terminalWidth() -> Int {
        if let text = getenv("COLUMNS"), let columns = Int(String(cString: text)), columns > 0 { return columns }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// The report's figures: times in microseconds from `start_us` (epoch microseconds), `null` for what did not
    /// happen (or has not ended yet); units in the table's order.
    static func json(_ report: TimelineReport) -> JSON {
        let units = report.rows.map { row in
            JSON.object([
                ("unit_name", .string(row.unit)), ("status", .string(row.status.rawValue)),
                ("critical", .bool(row.isCritical)), ("registered_us", .int(row.registered)),
                ("wait_began_us", micros(row.waitBegan)), ("wait_ended_us", micros(row.waitEnded)),
                ("started_us", micros(row.started)), ("ended_us", micros(row.ended)),
                ("waited_us", micros(row.waited)), ("ran_us", micros(row.ran)), ("reason", .optional(row.reason)),
                ("cause", row.cause?.json ?? .null), ("dependencies", .strings(row.dependencies)),
            ])
        }
        return .object([
            ("start", .string(report.start.rfc3339)), ("start_us", .int(report.start.rawValue)),
            ("now_us", .int(report.nowOffset)), ("span_us", .int(report.span)), ("units", .array(units)),
            ("critical_path", .strings(report.criticalPath)), ("critical_path_us", .int(report.criticalPathDuration)),
        ])
    }

    private static func micros(_ value: Int64?) -> JSON { value.map(JSON.int) ?? .null }

    /// Chrome trace-event JSON (the format Perfetto and chrome://tracing open): one process, one thread per unit
    /// (named after it, in the table's order), an instant event when the unit was registered and complete events
    /// (`"ph": "X"`) named `wait` and `run`, with `ts` and `dur` in microseconds from the start and the status,
    /// reason and dependencies in `args`. A wait or run still going on lasts until now and has `"ongoing": true`.
    static func trace(_ report: TimelineReport) -> JSON {
        let pid: JSON = 1
        var events: [JSON] = [
            .object([
                ("name", "process_name"), ("ph", "M"), ("pid", pid), ("tid", 0),
                ("args", .object([("name", "sync-agent start-up")])),
            ])
        ]
        for (i, row) in report.rows.enumerated() {
            let tid = JSON.int(Int64(i + 1))
            events.append(
                .object([
                    ("name", "thread_name"), ("ph", "M"), ("pid", pid), ("tid", tid),
                    ("args", .object([("name", .string(row.unit))])),
                ]))
            events.append(
                .object([
                    ("name", "thread_sort_index"), ("ph", "M"), ("pid", pid), ("tid", tid),
                    ("args", .object([("sort_index", .int(Int64(i + 1)))])),
                ]))
            events.append(
                .object([
                    ("name", "registered"), ("cat", "unit"), ("ph", "i"), ("s", "t"), ("ts", .int(row.registered)),
                    ("pid", pid), ("tid", tid),
                ]))
            var args: [(String, JSON)] = [("status", .string(row.status.rawValue))]
            if let reason = row.reason { args.append(("reason", .string(reason))) }
            if let cause = row.cause {
                args.append(("cause", .string("\(cause.rootDescription), via \(cause.chainDescription)")))
            }
            if let began = row.waitBegan, let waited = row.waited {
                var wait = args + [("dependencies", .strings(row.dependencies))]
                if row.isWaiting { wait.append(("ongoing", true)) }
                events.append(slice("wait", ts: began, dur: waited, pid: pid, tid: tid, args: wait))
            }
            if let started = row.started, let ran = row.ran {
                var run = args + [("critical", .bool(row.isCritical))]
                if row.isRunning { run.append(("ongoing", true)) }
                events.append(slice("run", ts: started, dur: ran, pid: pid, tid: tid, args: run))
            }
        }
        return .object([
            ("traceEvents", .array(events)), ("displayTimeUnit", "ms"),
            (
                "otherData",
                .object([
                    ("start", .string(report.start.rfc3339)), ("critical_path", .strings(report.criticalPath)),
                    ("version", .string(ProtocolVersion.productVersion)),
                ])
            ),
        ])
    }

    private static func slice(
        _ name: String, ts: Int64, dur: Int64, pid: JSON, tid: JSON, args: [(String, JSON)]
    ) -> JSON {
        .object([
            ("name", .string(name)), ("cat", .string(name)), ("ph", "X"), ("ts", .int(ts)), ("dur", .int(dur)),
            ("pid", pid), ("tid", tid), ("args", .object(args)),
        ])
    }
}
