import ArgumentParser
import SyncCore
import SyncOS
import SyncProtocol
import SyncTop

@preconcurrency import Glibc

@main
struct SyncTopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-top",
        abstract: "Live dashboard of the sync-agent's units, dependencies and statuses.",
        discussion: """
            Shows every unit with its status, what it waits on and for how long; a detail pane, a dependency tree, \
            a timeline with the critical path, and the event log. Press ? for every key.

            When stdout is not a terminal, TERM is dumb, or with --once, it prints one plain snapshot table and \
            exits. Colour follows --color, NO_COLOR and TERM; glyphs fall back to ASCII in a non-UTF-8 locale.
            """,
        version: ProtocolVersion.productVersion
    )

    @Option(
        name: .long,
        help: ArgumentHelp(SocketPath.optionHelp, valueName: "path"))
    var socketPath: String?

    @Flag(
        name: .long,
        help: "Print one plain snapshot table and exit (the default when stdout is not a terminal or TERM is dumb).")
    var once = false

    @Option(name: .long, help: ArgumentHelp("Use colour: auto, always or never.", valueName: "when"))
    var color: ColorMode = .auto

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Play a recorded stream (JSON lines: an optional snapshot, then events) instead of a live agent.",
            valueName: "file"))
    var replay: String?

    @Option(name: .long, help: "Replay this many times faster than recorded.")
    var speed: Double = 1

    @Flag(
        name: .long,
        help: """
            Run a demo: an embedded agent on a private socket and the example workspace scripts \
            (examples/workspace), shown live. Quitting ends every process it started.
            """)
    var demo = false

    @Option(
        name: .long, help: ArgumentHelp("Folder of the demo's scripts (default: examples/workspace).", valueName: "dir")
    )
    var examples: String?

    func validate() throws {
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be a positive number") }
        if demo && (replay != nil || socketPath != nil) {
            throw ValidationError("--demo runs its own agent; it does not take --replay or --socket-path")
        }
    }

    func run() throws {
        let environment = TerminalEnvironment.load()
        let once = self.once || !environment.stdoutIsTerminal || environment.isDumb
        let demo = self.demo ? try Demo.start(examples: examples) : nil
        defer { demo?.stop() }
        // A demo shown once runs its start-up to the end first, so the table shows how it ended.
        if once { demo?.waitForScripts() }
        let source =
            try demo.map { demo in
                let feed = AgentFeed(socket: demo.socket, once: once, label: "demo: \(demo.socket.path)")
                return FeedSource(feed: feed, clock: SystemClock.now, ends: false)
            } ?? makeFeed(once: once)
        if once {
            var model = try OnceCollector(source: source).collect()
            model.utcOffset = SystemClock.utcOffset()
            let theme = environment.theme(color, terminalHasColors: environment.stdoutIsTerminal || color == .always)
            print(OnceReport.text(model, theme: theme), terminator: "")
            return
        }
        try Dashboard(feed: source.feed, clock: source.clock, environment: environment, colorMode: color).run()
    }

    /// A feed with the clock its model runs on.
    struct FeedSource {
        var feed: any DashboardFeed
        var clock: @Sendable () -> Timestamp
        /// Whether the feed ends by itself (a replay), so `--once` can wait for its end.
        var ends: Bool
    }

    /// The feed to show: the replay when `--replay` is given (played at once for `--once`), otherwise the live
    /// agent.
    func makeFeed(once: Bool) throws -> FeedSource {
        if let replay {
            let file = try ReplayFile(text: readFile(replay))
            let name = replay.split(separator: "/").last.map(String.init) ?? replay
            let feed = ReplayFeed(file: file, name: name, speed: once ? .infinity : speed)
            return FeedSource(feed: feed, clock: { [clock = feed.clock] in clock.now() }, ends: true)
        }
        let socket = SocketPath.resolve(explicit: socketPath)
        return FeedSource(feed: AgentFeed(socket: socket, once: once), clock: SystemClock.now, ends: false)
    }
}

extension ColorMode: ExpressibleByArgument {}

/// A failure to report as `Error: <message>` with exit status 1 (without the usage text).
struct TopError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads a whole file as UTF-8.
func readFile(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else {
        throw TopError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}
