import SyncOS

@preconcurrency import Glibc

/// Waiting for the demo's process group to end, so that the agent outlives what reports to it.
extension Demo {
    /// How long the scripts and services get, after SIGTERM, to report to the agent and exit before SIGKILL.
    static let stopGrace = 3_000  // milliseconds

    /// Waits until no process of process group `group` is alive (zombies do not count), looking every 10 ms, for
    /// at most `milliseconds`.
    /// - Returns: whether the group ended in time.
    static func waitForGroupEnd(_ group: pid_t, milliseconds: Int) -> Bool {
        for _ in 0..<(milliseconds / 10) {
            if !groupAlive(group) { return true }
            usleep(10_000)
        }
        return !groupAlive(group)
    }

    /// Whether a live process (not a zombie) belongs to process group `group`, as /proc/PID/stat says.
    static func groupAlive(_ group: pid_t) -> Bool {
        for name in entries(of: "/proc") where name.first?.isNumber == true {
            // "PID (COMMAND) STATE PPID PGRP …": COMMAND may hold spaces and parentheses, so read after the last ")".
            guard let stat = try? readFile("/proc/\(name)/stat"), let close = stat.lastIndex(of: ")") else {
                continue
            }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == group { return true }
        }
        return false
    }

    /// The names in a directory, without "." and ".."; empty when it cannot be read.
    static func entries(of path: String) -> [String] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = DirectoryEntry.name(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
