import SyncReadiness

@preconcurrency import Glibc

/// The notify sample: `syncctl run svc --ready notify -- sync-bench --notify-worker FIFO`. The worker (a service
/// that says it is ready over sd_notify) waits for a byte on FIFO, reads the clock, sends `READY=1` to
/// `NOTIFY_SOCKET` and prints the time it read; then it runs until the bench closes FIFO, and exits 0.
extension ReadinessBenchmark.Bench {
    /// Whether the `syncctl` under test has `run --ready` (notify needs it).
    func supportsNotify() -> Bool {
        guard let help = try? WatchedChild(context.syncctlBinary, ["run", "--help"], environment: environment) else {
            return false
        }
        _ = help.finish()
        return help.text.contains("--ready")
    }

    func measureNotify(service: String, app: String, index: Int) throws(BenchError) -> (
        latency: Double, sinceStart: Double
    ) {
        let sample = try measureNotifyRelease(service: service, app: app, index: index)
        return (sample.latency, sample.sinceStart)
    }

    /// The notify sample with the CPU each side used: the released `start` over its whole life, and the agent and
    /// `syncctl run` from just before the trigger to the `start` reaped.
    func measureNotifyRelease(service: String, app: String, index: Int) throws(BenchError) -> ReleaseSample {
        let fifo = agent.directory + "/notify-\(index)"
        guard mkfifo(fifo, 0o600) == 0 else { throw .errno("mkfifo \(fifo)") }
        defer { unlink(fifo) }
        let runner = try WatchedChild(
            context.syncctlBinary,
            [
                "run", service, "--ready", "notify", "--ready-timeout", "60s", "--", context.benchBinary,
                "--notify-worker", fifo,
            ],
            environment: environment)
        let trigger = try Self.openWriter(fifo)
        let start = try parkedStart(app)
        Syscalls.sleep(seconds: Double.random(in: 0.04...0.14))
        let serviceBefore = ProcStats.cpuNanos(agent.pid) + ProcStats.cpuNanos(runner.pid)
        var byte: UInt8 = 1
        _ = write(trigger, &byte, 1)
        let (status, waiterCPU) = start.finishWithUsage()
        let released = Syscalls.nanos()
        let serviceAfter = ProcStats.cpuNanos(agent.pid) + ProcStats.cpuNanos(runner.pid)
        close(trigger)
        let ran = runner.finish()
        let sent = runner.text.split(separator: "\n").first { $0.hasPrefix("sent ") }.flatMap {
            UInt64($0.dropFirst(5))
        }
        guard status == 0, ran == 0, let sent else {
            throw BenchError("notify sample \(index): start exited \(status), run \(ran): \(runner.text)")
        }
        return ReleaseSample(
            latency: Double(released - sent) / 1e6, sinceStart: Double(sent - runner.started) / 1e6,
            waiterCPU: Double(waiterCPU) / 1e6, serviceCPU: max(0, Double(serviceAfter) - Double(serviceBefore)) / 1e6)
    }

    /// Opens FIFO for writing once the worker has opened it for reading (within 10 s).
    static func openWriter(_ fifo: String) throws(BenchError) -> Int32 {
        let deadline = Syscalls.nanos() + 10_000_000_000
        while true {
            let descriptor = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if descriptor >= 0 { return descriptor }
            guard errno == ENXIO, Syscalls.nanos() < deadline else { throw .errno("open \(fifo) for the worker") }
            Syscalls.sleep(seconds: 0.001)
        }
    }
}

/// `sync-bench --notify-worker FIFO`: the service of the notify sample (see ``ReadinessBenchmark``).
enum NotifyWorker {
    static func run(fifo: String) -> Int32 {
        guard let socket = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }) else {
            Syscalls.note("--notify-worker: NOTIFY_SOCKET is not set")
            return 1
        }
        return TriggeredWorker.run(fifo: fifo, report: { "sent \($0)" }) {
            do {
                try NotifySocket.send("READY=1", to: socket)
                return true
            } catch {
                Syscalls.note("--notify-worker: \(error)")
                return false
            }
        }
    }
}

/// The life of a bench service told when to signal: waits for a byte on FIFO, reads the clock, signals, prints
/// `report(clock)`, then runs until FIFO closes (exit 0) or it is stopped. Exit 1 when it cannot.
enum TriggeredWorker {
    static func run(fifo: String, report: (UInt64) -> String, signal: () -> Bool) -> Int32 {
        let descriptor = open(fifo, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 1 }
        defer { close(descriptor) }
        var byte: UInt8 = 0
        while read(descriptor, &byte, 1) < 0 && errno == EINTR {}
        let sent = Syscalls.nanos()
        guard signal() else { return 1 }
        print(report(sent))
        fflush(stdout)
        while true {
            let count = read(descriptor, &byte, 1)
            if count == 0 || (count < 0 && errno != EINTR) { return 0 }
        }
    }
}
