import SyncOS

@preconcurrency import Glibc

/// The s6 sample of ``PeersBenchmark``, set up as s6's documentation describes readiness notification: a service
/// directory with `run` and `notification-fd` (3), supervised by its own `s6-supervise` (no scan directory is
/// needed for one service), and `s6-svwait -U` waiting for "up and ready". The service is
/// `sync-bench --s6-worker FIFO` (``S6Worker``): it waits for a byte on FIFO, reads the clock, writes the newline to
/// fd 3 and prints the time it read. Each sample gets a fresh service directory under the bench's temporary
/// directory; `s6-svc -dx` stops the service and its supervisor afterwards, and the tree is removed at the end.
struct S6Peer {
    let supervise: String
    let svwait: String
    let svc: String

    /// The s6 programs on `PATH`, or `nil` when one is missing.
    static func locate() -> S6Peer? {
        guard let supervise = Spawn.which("s6-supervise"), let svwait = Spawn.which("s6-svwait"),
            let svc = Spawn.which("s6-svc")
        else { return nil }
        return S6Peer(supervise: supervise, svwait: svwait, svc: svc)
    }

    /// One sample: from the newline written to `s6-svwait -U` reaped.
    func measure(in root: String, index: Int, worker: String) throws(BenchError) -> ReleaseSample {
        let service = "\(root)/sv-\(index)"
        let fifo = service + "/trigger"
        guard mkdir(service, 0o755) == 0 else { throw .errno("mkdir \(service)") }
        guard mkfifo(fifo, 0o600) == 0 else { throw .errno("mkfifo \(fifo)") }
        try Syscalls.writeFile(
            service + "/run", "#!/bin/sh\nexec \(Self.quoted(worker)) --s6-worker \(Self.quoted(fifo))\n")
        chmod(service + "/run", 0o755)
        try Syscalls.writeFile(service + "/notification-fd", "3\n")
        let supervisor = try WatchedChild(supervise, [service], environment: [])
        var trigger: Int32 = -1
        defer {
            // Down, and the supervisor exits once the service is down; then the worker's FIFO closes.
            if let pid = try? Spawn.start(svc, ["-dx", service]) { Spawn.wait(pid) }
            if trigger >= 0 { close(trigger) }
            _ = supervisor.finish()
        }
        // The worker has opened its FIFO: the service is up, not yet ready.
        trigger = try ReadinessBenchmark.Bench.openWriter(fifo)
        let waiter = try WatchedChild(svwait, ["-U", service], environment: [])
        try Self.awaitSubscription(service + "/event", waiter: waiter)
        Syscalls.sleep(seconds: Double.random(in: 0.04...0.14))
        let before = ProcStats.cpuNanos(supervisor.pid)
        var byte: UInt8 = 1
        _ = write(trigger, &byte, 1)
        let (status, waiterCPU) = waiter.finishWithUsage()
        let released = Syscalls.nanos()
        let after = ProcStats.cpuNanos(supervisor.pid)
        try supervisor.awaitOutput(" ns\n")
        let sent = supervisor.text.split(separator: "\n").first { $0.hasPrefix("sent ") }.flatMap {
            UInt64($0.dropFirst(5).split(separator: " ").first ?? "")
        }
        guard status == 0, let sent else {
            throw BenchError("s6 sample \(index): s6-svwait exited \(status): \(waiter.text) \(supervisor.text)")
        }
        return ReleaseSample(
            latency: Double(released - sent) / 1e6, waiterCPU: Double(waiterCPU) / 1e6,
            serviceCPU: max(0, Double(after) - Double(before)) / 1e6)
    }

    /// Waits until `s6-svwait` listens: its FIFO (made by its `s6-ftrigrd` helper) appears in the service's event
    /// directory. - Throws: after 10 s, or when the waiter ended.
    private static func awaitSubscription(_ events: String, waiter: WatchedChild) throws(BenchError) {
        let deadline = Syscalls.nanos() + 10_000_000_000
        while true {
            if let directory = opendir(events) {
                var found = false
                while !found, let entry = readdir(directory) {
                    found = DirectoryEntry.name(entry).hasPrefix("ftrig")
                }
                closedir(directory)
                if found { return }
            }
            guard Syscalls.nanos() < deadline, kill(waiter.pid, 0) == 0 else {
                throw BenchError("s6-svwait did not subscribe to \(events) within 10 s")
            }
            Syscalls.sleep(seconds: 0.0005)
        }
    }

    /// `text` in single quotes for `sh`.
    private static func quoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// Removes `path` and everything under it (s6 leaves `supervise/` and `event/` in each service directory).
    static func removeTree(_ path: String) {
        if let directory = opendir(path) {
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = DirectoryEntry.name(entry)
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names {
                let child = "\(path)/\(name)"
                var info = stat()
                if lstat(child, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                    removeTree(child)
                } else {
                    unlink(child)
                }
            }
        }
        rmdir(path)
    }
}

/// `sync-bench --s6-worker FIFO`: the service of the s6 sample (see ``S6Peer``). Waits for a byte on FIFO, reads
/// the clock, writes the readiness newline to fd 3 (the `notification-fd`), prints `sent NANOS ns`, then runs until
/// FIFO closes or it is stopped.
enum S6Worker {
    static func run(fifo: String) -> Int32 {
        TriggeredWorker.run(fifo: fifo, report: { "sent \($0) ns" }) {
            var newline = UInt8(ascii: "\n")
            guard write(3, &newline, 1) == 1 else {
                Syscalls.note("--s6-worker: cannot write to the notification fd 3: \(String(cString: strerror(errno)))")
                return false
            }
            close(3)
            return true
        }
    }
}
