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

    /// Whether a live process (not a zombie) belongs to process group `group`, as /proc/PID/stat says. When this
    /// process cannot tell (/proc cannot be opened, or a stat file cannot for want of descriptors or memory), the
    /// group counts as alive: the caller then waits and signals it, rather than stopping the agent under a service
    /// that still reports to it. A stat file that is gone (its process ended) or not readable (another user's,
    /// under `hidepid`) is not one of the group's.
    static func groupAlive(_ group: pid_t) -> Bool {
        guard let names = readEntries(of: "/proc") else { return true }
        for name in names where name.first?.isNumber == true {
            guard let file = fopen("/proc/\(name)/stat", "r") else {
                if errno == EMFILE || errno == ENFILE || errno == ENOMEM { return true }
                continue
            }
            defer { fclose(file) }
            var line = [CChar](repeating: 0, count: 1024)
            guard fgets(&line, Int32(line.count), file) != nil else { continue }
            let stat = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // "PID (COMMAND) STATE PPID PGRP …": COMMAND may hold spaces and parentheses, so read after the last ")".
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == group { return true }
        }
        return false
    }

    /// The names in a directory, without "." and ".."; empty when it cannot be read.
    static func entries(of path: String) -> [String] {
        readEntries(of: path) ?? []
    }

    /// The names in a directory, without "." and ".."; nil when it cannot be opened.
    private static func readEntries(of path: String) -> [String]? {
        guard let handle = opendir(path) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = DirectoryEntry.name(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
