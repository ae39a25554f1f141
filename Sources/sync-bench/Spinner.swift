@preconcurrency import Glibc

/// A process that keeps one CPU busy: `sync-bench --spin-worker CPU`, pinned to CPU with `sched_setaffinity`, spinning
/// until it is killed. The CLI benchmark measures `syncctl` with it running (`cli_busy_*`).
final class Spinner {
    let pid: pid_t
    private var stopped = false

    /// Starts the spinner on `cpu`; returns once it is pinned and spinning.
    init(benchBinary: String, cpu: Int) throws(BenchError) {
        let child = try WatchedChild(benchBinary, ["--spin-worker", String(max(0, cpu))], environment: [])
        pid = child.pid
        do {
            try child.awaitOutput("spinning")
        } catch {
            kill(pid, SIGKILL)
            _ = child.finish()
            throw error
        }
        self.child = child
    }

    private var child: WatchedChild?

    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGKILL)
        _ = child?.finish()
    }

    deinit { stop() }

    /// The child's side: pin to `cpu`, say so, spin. Never returns. (Glibc's Swift module does not export
    /// `sched_setaffinity`, a GNU extension: it is looked up with `dlsym`; the mask is a 1024-bit `cpu_set_t`.)
    static func spin(cpu: Int) -> Never {
        typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32
        var mask = [UInt8](repeating: 0, count: 128)
        if cpu / 8 < mask.count { mask[cpu / 8] |= UInt8(1 << (cpu % 8)) }
        if let symbol = dlsym(dlopen(nil, RTLD_NOW), "sched_setaffinity") {
            let setAffinity = unsafeBitCast(symbol, to: SetAffinity.self)
            if mask.withUnsafeBytes({ setAffinity(0, $0.count, $0.baseAddress!) }) != 0 {
                Syscalls.note("--spin-worker: cannot pin to CPU \(cpu): \(String(cString: strerror(errno)))")
            }
        }
        print("spinning on CPU \(cpu)")
        fflush(stdout)
        var counter: UInt64 = 0
        while true {
            counter &+= 1
            if counter == 0 { print("wrapped") }
        }
    }
}
