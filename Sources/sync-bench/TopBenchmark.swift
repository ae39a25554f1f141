@preconcurrency import Glibc

/// `top_cpu_pct`: the CPU `sync-top`'s work takes with 1,000 units and 200 events a second: a child process
/// (`sync-bench --top-worker SOCKET`, see ``TopWorker``) subscribes to a `sync-agent` process, applies every event
/// to the dashboard model and renders it headlessly into its 120×40 screen buffer, paced as `sync-top` paces its
/// frames. The child reports its own CPU time (all threads, `CLOCK_PROCESS_CPUTIME_ID`) over the measured window;
/// the load comes from this process: `start` and `complete` of the units in turn, one every 5 ms, each one event.
///
/// ``tenfold`` (group `top10`) is the same with 10,000 units and 1,000 events a second (one every millisecond), its
/// figures named `top10_…`.
struct TopBenchmark: Benchmark {
    var group: String { prefix }
    var units = 1000
    var eventsPerSecond = 200.0
    /// The group name and the prefix of the figures.
    var prefix = "top"

    /// 10,000 units and 1,000 events a second.
    static let tenfold = TopBenchmark(units: 10_000, eventsPerSecond: 1000, prefix: "top10")

    func run(_ context: BenchContext) async throws -> Measurement {
        let seconds = context.pick(full: 10.0, quick: 3.0)
        let warmup = context.pick(full: 1.0, quick: 0.5)
        let agent = try SpawnedAgent(binary: context.agentBinary, journal: false)
        defer { agent.stop() }
        let load = try agent.connect()
        var frames: [String] = []
        for i in 0..<units {
            // A tree: unit i waits for unit (i-1)/2; all end up completed, in order.
            if i > 0 {
                frames.append(
                    FrameSocket.frame(
                        Int64(frames.count + 1), .want(unit: "top-\(i)", dependsOn: ["top-\((i - 1) / 2)"])))
            }
            frames.append(
                FrameSocket.frame(Int64(frames.count + 1), .start(unit: "top-\(i)", wait: false, timeoutMs: nil)))
            frames.append(FrameSocket.frame(Int64(frames.count + 1), .complete(unit: "top-\(i)")))
        }
        let setup = try Pipeline.run(frames, on: load)
        guard setup.refused == 0 else { throw BenchError("top: \(setup.refused) setup requests refused") }

        let pipe = try Syscalls.makePipe()
        let fds = [pipe.read, pipe.write]
        let pid = try Spawn.start(
            context.benchBinary,
            ["--top-worker", agent.socketPath, "--top-seconds", "\(seconds)", "--top-warmup", "\(warmup)"],
            stdout: .descriptor(fds[1]), stderr: .file(agent.directory + "/top.log"))
        close(fds[1])
        defer { close(fds[0]) }
        let output = FrameSocket.lines(from: fds[0])
        guard output.next() == "ready" else {
            Spawn.wait(pid)
            throw BenchError("top worker failed: \(Syscalls.readFile(agent.directory + "/top.log") ?? "")")
        }

        // Paced load until the worker reports: start, complete, start… of the units in turn.
        let interval = UInt64(1e9 / eventsPerSecond)
        let began = Syscalls.nanos()
        let end = began + UInt64((warmup + seconds + 0.5) * 1e9)
        var sent: UInt64 = 0
        var id = Int64(frames.count + 10)
        while Syscalls.nanos() < end {
            let unit = "top-\((sent / 2) % UInt64(units))"
            try load.send(
                FrameSocket.frame(
                    id,
                    sent % 2 == 0
                        ? .start(unit: unit, wait: false, timeoutMs: nil)
                        : .complete(unit: unit)))
            id += 1
            sent += 1
            while try load.fill() > 0 {}
            while load.nextFrame() != nil {}
            let next = began + sent * interval
            let now = Syscalls.nanos()
            if next > now { Syscalls.sleep(seconds: Double(next - now) / 1e9) }
        }
        guard let report = output.next(), let fields = TopWorker.Report(line: report) else {
            Spawn.wait(pid)
            throw BenchError("top worker gave no report: \(Syscalls.readFile(agent.directory + "/top.log") ?? "")")
        }
        Spawn.wait(pid)
        return Measurement(figures: [
            "\(prefix)_cpu_pct": fields.cpuSeconds / fields.wallSeconds * 100,
            "\(prefix)_frames_s": Double(fields.frames) / fields.wallSeconds,
            "\(prefix)_events_s": Double(fields.events) / fields.wallSeconds,
        ])
    }
}

extension FrameSocket {
    /// Lines read from a descriptor, one at a time (blocking).
    static func lines(from fd: Int32) -> LineReader { LineReader(fd: fd) }
}

/// Reads a child's stdout line by line.
final class LineReader {
    private let fd: Int32
    private var pending: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    /// The next line without its newline, or `nil` at the end.
    func next() -> String? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return nil }
            pending += chunk[..<count]
        }
    }
}
