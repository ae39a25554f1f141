import ArgumentParser
import SyncProtocol

@preconcurrency import Glibc

/// `sync-bench`: measures the real agent over the real socket and prints the figures of docs/BENCHMARKS.md.
@main
struct SyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-bench",
        abstract: "Measure sync-agent, syncctl and sync-top over the real socket.",
        discussion: """
            Runs every benchmark group (\(Figure.defaultGroups.joined(separator: ", "))) on fresh agents and prints \
            one table: per figure the median over the runs, min, max, and its goal. --json prints one JSON object \
            instead, keyed by figure name. --peers runs only the peers group (s6 beside us; not part of the \
            default run) and prints its own table. Progress goes to stderr. Build with \
            scripts/build-release.sh before measuring, as a release is built; docs/BENCHMARKS.md says what each figure \
            measures. The groups at ten times the scale (\(Figure.tenfoldGroups.joined(separator: ", "))) run only \
            when asked for: --scale10 or --only.
            """,
        version: ProtocolVersion.productVersion
    )

    @Flag(help: "A reduced run (fewer samples, shorter windows) that finishes in under 30 s.")
    var quick = false

    @Flag(
        help: ArgumentHelp(
            "Only the scaling checks: time(4N)/time(N) of each request whose cost could grow with the graph.",
            discussion: "The same as --only scaling."))
    var scaling = false

    @Flag(
        help: ArgumentHelp(
            "Only the peers table: s6 and us side by side, from a readiness signal to the waiter's exit.",
            discussion: "The same figures as --only peers, printed as their own table; needs s6 on PATH."))
    var peers = false

    @Flag(
        help: ArgumentHelp(
            "Only the figures at ten times the scale: 100,000 units, a 1,000,000-event journal, sync-top with "
                + "10,000 units.",
            discussion: "The same as --only scale10,top10; a full run leaves them out."))
    var scale10 = false

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Flag(help: "Print the table in Markdown.")
    var markdown = false

    @Option(
        help: ArgumentHelp(
            "Run only this hot path in this process, for instruction counts under valgrind: "
                + InstructionCount.cases.map(\.name).joined(separator: ", ") + ".",
            discussion: "scripts/callgrind-counts.sh runs every case and compares with docs/BENCHMARKS.md.",
            valueName: "case"))
    var count: String?

    @Option(help: "How many times to run the suite (default: 5, or 1 with --quick or --peers).")
    var runs: Int?

    @Option(
        help: ArgumentHelp(
            "Only these groups, comma-separated: \((Figure.groups + Figure.optionalGroups).joined(separator: ",")).",
            valueName: "groups"))
    var only: String?

    @Option(help: ArgumentHelp("Also write the JSON object to this file.", valueName: "path"))
    var output: String?

    @Option(
        help: ArgumentHelp("Also write the raw latency samples of every run as JSON to this file.", valueName: "path"))
    var samples: String?

    @Option(
        help: ArgumentHelp(
            "Folder with the sync-agent and syncctl to measure (default: the one holding sync-bench).",
            valueName: "path"))
    var binDir: String?

    /// Set in the child process of the `top` benchmark (see ``TopWorker``): the agent's socket.
    @Option(help: .hidden) var topWorker: String?
    @Option(help: .hidden) var topSeconds = 10.0
    @Option(help: .hidden) var topWarmup = 1.0
    /// N of the scaling checks (a smoke test runs them small).
    @Option(help: .hidden) var scalingSize: Int?
    /// Set in the service `syncctl run --ready notify` starts in the readiness benchmark: its trigger FIFO.
    @Option(help: .hidden) var notifyWorker: String?
    /// Set in the service `s6-supervise` starts in the peers benchmark: its trigger FIFO.
    @Option(help: .hidden) var s6Worker: String?
    /// Set in the process the CLI benchmark keeps busy on one CPU: that CPU.
    @Option(help: .hidden) var spinWorker: Int?
    /// Samples per row of the peers table (a smoke test runs it small).
    @Option(help: .hidden) var peersSamples: Int?

    @Option(
        help: ArgumentHelp(
            "The PostgreSQL server the shared group measures on, as sync-agent --store takes it (each run uses new "
                + "workspaces, sync-bench-PID-N); default: a private server started for the group.",
            valueName: "url"))
    var store: String?

    @Option(
        help: ArgumentHelp(
            "How long the readiness group measures the CPU of one unit probing a closed port (default: 60, "
                + "--quick: 3).", valueName: "seconds"))
    var readinessCpuSeconds: Double?

    /// `sync-bench --count CASE` (exactly that) runs its case here, on the main thread, before ArgumentParser's
    /// `run()` hops to the concurrency pool: valgrind 3.19 (Debian 12's) dies in `rt_sigsuspend` once the main thread
    /// idles while another thread runs, which is what the pool makes it do. Anything else is parsed as usual.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.count == 2, arguments[0] == "--count" {
            do {
                Glibc.exit(try InstructionCount.run(arguments[1]))
            } catch {
                Syscalls.note("sync-bench --count \(arguments[1]): \(error)")
                Glibc.exit(1)
            }
        }
        await main(nil)
    }

    func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        if json && markdown { throw ValidationError("--json and --markdown exclude each other") }
        if scaling && only != nil { throw ValidationError("--scaling and --only exclude each other") }
        if peers && (scaling || only != nil) { throw ValidationError("--peers excludes --scaling and --only") }
        if let peersSamples, peersSamples < 1 { throw ValidationError("--peers-samples must be at least 1") }
        if scale10 && (scaling || peers || only != nil) {
            throw ValidationError("--scale10 excludes --scaling, --peers and --only")
        }
        if let scalingSize, scalingSize < 2 { throw ValidationError("--scaling-size must be at least 2") }
        if let readinessCpuSeconds, !(readinessCpuSeconds > 0) {
            throw ValidationError("--readiness-cpu-seconds must be more than 0")
        }
        let unknown = groups.filter { !Figure.groups.contains($0) && !Figure.optionalGroups.contains($0) }
        if !unknown.isEmpty { throw ValidationError("unknown group(s): \(unknown.joined(separator: ", "))") }
    }

    private var groups: [String] {
        if scaling { return ["scaling"] }
        if peers { return ["peers"] }
        if scale10 { return Figure.tenfoldGroups }
        return only.map { $0.split(separator: ",").map(String.init) } ?? Figure.defaultGroups
    }

    func run() async throws {
        if let notifyWorker { throw ExitCode(NotifyWorker.run(fifo: notifyWorker)) }
        if let s6Worker { throw ExitCode(S6Worker.run(fifo: s6Worker)) }
        if let count { throw ExitCode(try InstructionCount.run(count)) }
        if let spinWorker { Spinner.spin(cpu: spinWorker) }
        if let topWorker {
            await TopWorker(socketPath: topWorker, seconds: topSeconds, warmup: topWarmup).run()
            return
        }
        let executable = Self.executablePath()
        let directory = binDir ?? String(executable[..<(executable.lastIndex(of: "/") ?? executable.endIndex)])
        for tool in ["sync-agent", "syncctl"] where access("\(directory)/\(tool)", X_OK) != 0 {
            throw ValidationError(
                "\(directory)/\(tool) not found; build it (scripts/build-release.sh) or pass "
                    + "--bin-dir")
        }
        // Ignore SIGPIPE: a waiter socket closed by the agent must fail a write, not end the bench.
        signal(SIGPIPE, SIG_IGN)
        let context = BenchContext(
            quick: quick, binDirectory: directory, benchBinary: executable, scalingSize: scalingSize,
            readinessCPUSeconds: readinessCpuSeconds, peersSamples: peersSamples, store: store)
        let count = runs ?? (quick || peers ? 1 : 5)
        let results = try await Suite(context: context, groups: groups, runs: count).run()
        let report = Report(results: results, quick: quick, runs: count)
        if let samples { try Syscalls.writeFile(samples, report.samplesJSON.compact + "\n") }
        if let output { try Syscalls.writeFile(output, report.json.pretty + "\n") }
        if peers && !json {
            let table = PeersTable(
                results: results, runs: count, samples: peersSamples ?? context.pick(full: 200, quick: 20))
            print(markdown ? table.markdown : table.text)
            return
        }
        print(json ? report.json.pretty : markdown ? report.markdown : report.table)
    }

    /// This executable's path, from `/proc/self/exe`.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
