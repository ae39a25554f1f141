@preconcurrency import Glibc
import SyncOS

/// What `/proc` says about a process: CPU time, resident memory, context switches; and the machine's load.
enum ProcStats {
    /// Clock ticks per second of `/proc/PID/stat`'s times.
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// User plus system CPU time of `pid` (all its threads), in seconds; `nil` when it is gone.
    static func cpuSeconds(_ pid: pid_t) -> Double? {
        guard let stat = Syscalls.readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }

    /// CPU time of every live thread of `pid`, in nanoseconds (the first field of each `/proc/PID/task/TID/schedstat`):
    /// fine-grained where ``cpuSeconds(_:)`` counts 10 ms ticks, and unaffected by time spent waiting for a CPU.
    static func cpuNanos(_ pid: pid_t) -> UInt64 {
        var total: UInt64 = 0
        guard let directory = opendir("/proc/\(pid)/task") else { return 0 }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = DirectoryEntry.name(entry)
            guard name.first?.isNumber == true, let stat = Syscalls.readFile("/proc/\(pid)/task/\(name)/schedstat")
            else { continue }
            total += stat.split(separator: " ").first.flatMap { UInt64($0) } ?? 0
        }
        return total
    }

    /// A `kB` line of `/proc/PID/status` (`VmRSS`, `VmHWM`…), in MiB.
    static func memoryMiB(_ pid: pid_t, _ field: String) -> Double? {
        guard let status = Syscalls.readFile("/proc/\(pid)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
                .flatMap { Double($0) }
            return number.map { $0 / 1024 }
        }
        return nil
    }

    /// Resident set size of `pid`, in MiB.
    static func residentMiB(_ pid: pid_t) -> Double? { memoryMiB(pid, "VmRSS") }

    /// Peak resident set size of `pid`, in MiB.
    static func peakResidentMiB(_ pid: pid_t) -> Double? { memoryMiB(pid, "VmHWM") }

    /// Context switches (voluntary and not) of every thread of `pid`, by thread id: how often each one woke up.
    static func contextSwitches(_ pid: pid_t) -> [String: Int] {
        var counts: [String: Int] = [:]
        guard let directory = opendir("/proc/\(pid)/task") else { return counts }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = DirectoryEntry.name(entry)
            guard name.first?.isNumber == true, let status = Syscalls.readFile("/proc/\(pid)/task/\(name)/status")
            else { continue }
            for line in status.split(separator: "\n") where line.contains("ctxt_switches:") {
                counts[name, default: 0] += line.split(separator: "\t").last.flatMap { Int($0.trimmingSpaces) } ?? 0
            }
        }
        return counts
    }

    /// Context switches between two ``contextSwitches(_:)`` readings: threads that ended are left out, threads
    /// that started count from zero.
    static func switches(from before: [String: Int], to after: [String: Int]) -> Int {
        after.reduce(0) { $0 + $1.value - (before[$1.key] ?? 0) }
    }

    /// The 1, 5 and 15 minute load averages.
    static func loadAverage() -> [Double] {
        guard let text = Syscalls.readFile("/proc/loadavg") else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
