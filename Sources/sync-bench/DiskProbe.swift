import SyncOS

@preconcurrency import Glibc

/// How long this machine's disk takes to make one journal line durable: a small append and `fdatasync`, as the
/// agent's journal does for each group of changes. The journal figures are read against it.
enum DiskProbe {
    /// Times `count` appends and syncs in a file under a temporary directory. - Returns: latencies in µs.
    static func fdatasyncLatencies(count: Int) throws(BenchError) -> [Double] {
        let directory = try Syscalls.makeTemporaryDirectory()
        defer { Syscalls.removeDirectory(directory) }
        let fd = open(directory + "/probe", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .errno("open probe file") }
        defer { close(fd) }
        let line = #"{"seq":1,"time_us":1795699853193396,"kind":"status_changed","unit":"probe"}"# + "\n"
        var latencies: [Double] = []
        for _ in 0..<count {
            let began = Syscalls.nanos()
            guard (try? Descriptor.writeAll(fd, line)) != nil, fdatasync(fd) == 0
            else { throw .errno("write and sync probe file") }
            latencies.append(Double(Syscalls.nanos() - began) / 1000)
        }
        return latencies
    }
}
