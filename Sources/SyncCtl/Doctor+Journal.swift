@preconcurrency import Glibc
import SyncClient
import SyncOS
import SyncProtocol

/// `syncctl doctor`'s checks of the journal, the limits and autostart.
extension DoctorReport {
    /// Where the journal is: the running agent's `--state-file` (or none with `--ephemeral`) when /proc shows its
    /// command line, else the default beside the socket.
    static func journalPath(_ socket: SocketPath, process: AgentProcessInfo?) -> (path: String?, how: String) {
        if let process, process.flag("--ephemeral") { return (nil, "the agent runs with --ephemeral") }
        if let process, let file = process.option("--state-file") {
            return (process.absolute(file), "the agent's --state-file")
        }
        let path = SocketPath(path: socket.absolutePath, source: socket.source).sibling("journal")
        return (path, process?.arguments == nil ? "the default beside the socket" : "beside the socket")
    }

    static func journalCheck(_ socket: SocketPath, hello: HelloInfo?, process: AgentProcessInfo?) -> DoctorCheck {
        if let store = hello?.store {
            return DoctorCheck(
                "journal", .ok,
                "none: the agent keeps its graph in the shared store \(store), workspace "
                    + "\"\(hello?.workspace ?? "")\" (docs/MULTI-HOST.md)",
                facts: [
                    ("path", .null), ("exists", .bool(false)), ("size_bytes", .null), ("readable", .null),
                    ("last_line_complete", .null), ("lock_pid", .null),
                ])
        }
        let (found, how) = journalPath(socket, process: process)
        guard let path = found else {
            return DoctorCheck(
                "journal", .note, "none: \(how), so the state lives in memory only and no restart keeps it",
                facts: [
                    ("path", .null), ("exists", .bool(false)), ("size_bytes", .null), ("readable", .null),
                    ("last_line_complete", .null), ("lock_pid", .null),
                ])
        }
        var facts: [(String, JSON)] = [("path", .string(path))]
        var info = stat()
        guard lstat(path, &info) == 0 else {
            facts += [
                ("exists", .bool(false)), ("size_bytes", .null), ("readable", .null), ("last_line_complete", .null),
                ("lock_pid", .null),
            ]
            let later =
                hello == nil ? "the agent creates it when it starts" : "the agent writes it back within a second"
            return DoctorCheck("journal", .note, "\(path) (\(how)) does not exist yet: \(later)", facts: facts)
        }
        let size = Int64(info.st_size)
        let regular = (info.st_mode & S_IFMT) == S_IFREG
        let readable = regular && FileContents.read(path, limit: 1) != nil
        let readError = Posix.errorText()
        let complete = readable ? lastLineComplete(path, size: size) : nil
        let lock = lockHolder(of: path + ".lock")
        facts += [
            ("exists", .bool(true)), ("size_bytes", .int(size)), ("readable", .bool(readable)),
            ("last_line_complete", complete.map(JSON.bool) ?? .null),
            ("lock_pid", lock.map { .int(Int64($0)) } ?? .null),
        ]
        var summary = "\(path) (\(how)): \(byteCount(size))"
        guard regular else {
            return DoctorCheck(
                "journal", .problem, summary + ", not a regular file",
                fix: "remove it, or start the agent with another --state-file", facts: facts)
        }
        guard readable else {
            return DoctorCheck(
                "journal", .problem, summary + ", cannot be read: \(readError)",
                fix: "make it yours and readable (chown, chmod 600 \(path)), or start the agent with another "
                    + "--state-file", facts: facts)
        }
        summary += complete == false ? ", last line incomplete (dropped with a warning at the next start)" : ""
        summary += complete == true ? ", last line complete" : ""
        if let lock {
            summary += hello.map { Int64(lock) == $0.pid } == true ? "; locked by the agent" : "; locked by pid \(lock)"
        } else {
            summary += hello == nil ? "; no agent holds it" : "; its lock is not held (by the agent or anyone)"
        }
        return DoctorCheck("journal", complete == false ? .note : .ok, summary, facts: facts)
    }

    /// Whether the file ends with a newline (or is empty).
    private static func lastLineComplete(_ path: String, size: Int64) -> Bool? {
        guard size > 0 else { return true }
        guard let last = FileContents.read(path, from: Int(size - 1), limit: 1)?.first else { return nil }
        return last == UInt8(ascii: "\n")
    }

    /// The pid holding the journal's lock: the one /proc/locks names, or the pid written in the lock file while
    /// somebody holds it.
    private static func lockHolder(of lockPath: String) -> Int32? {
        guard let holders = FileLockHolders.pids(of: lockPath), !holders.isEmpty else { return nil }
        let written = FileContents.text(lockPath, limit: 32).flatMap { text in
            text.split(separator: "\n").first.flatMap { Int32($0) }
        }
        return written.flatMap { holders.contains($0) ? $0 : nil } ?? holders.first
    }

    static func limitsCheck(hello: HelloInfo?, process: AgentProcessInfo?) -> DoctorCheck {
        guard let hello else {
            return DoctorCheck(
                "limits", .ok, "no agent to ask; one started now has the defaults (sync-agent --help lists them)",
                facts: [("max_frame_bytes", .null), ("options", .null), ("open_files", .null)])
        }
        var summary = "requests up to \(byteCount(hello.maxFrameBytes))"
        let given = process?.limitOptions ?? []
        if process?.arguments == nil {
            summary += "; the other limits are not visible (/proc does not show the agent's command line)"
        } else if given.isEmpty {
            summary += "; the other limits at their defaults (sync-agent --help lists them)"
        } else {
            summary += "; " + given.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ", the others at their defaults"
        }
        if let files = process?.openFilesLimit { summary += "; open files: \(files)" }
        return DoctorCheck(
            "limits", .ok, summary,
            facts: [
                ("max_frame_bytes", .int(hello.maxFrameBytes)),
                ("options", process?.arguments == nil ? .null : .object(given.map { ($0.0, .string($0.1)) })),
                ("open_files", process?.openFilesLimit.map(JSON.string) ?? .null),
            ])
    }

    static func autostartCheck(_ autostart: AgentAutostart, agentAnswers: Bool) -> DoctorCheck {
        let log = SocketPath(path: autostart.socket.absolutePath, source: autostart.socket.source).autostartLogPath
        var facts: [(String, JSON)] = [("enabled", .bool(autostart.turnedOffBy() == nil))]
        facts.append(("turned_off_by", autostart.turnedOffBy().map(JSON.string) ?? .null))
        facts.append(("log", .string(log)))
        if let off = autostart.turnedOffBy() {
            facts.append(("agent_executable", .null))
            return DoctorCheck(
                "autostart", .note, "off (\(off)): commands fail when no agent answers; start one yourself",
                facts: facts)
        }
        let commands = "want, start, complete, fail, run, ready, wait and note start an agent when none answers"
        do {
            let executable = try AgentExecutable.locate(socket: autostart.socket)
            facts.append(("agent_executable", .string(executable)))
            return DoctorCheck("autostart", .ok, "on: \(commands) (\(executable), logging to \(log))", facts: facts)
        } catch {
            facts.append(("agent_executable", .null))
            return DoctorCheck(
                "autostart", agentAnswers ? .note : .problem,
                "on, but sync-agent is neither beside syncctl nor on PATH",
                fix: "install sync-agent beside syncctl or on PATH, or start an agent yourself", facts: facts)
        }
    }

    /// `512 bytes`, `12.3 KiB`, `1 MiB`.
    static func byteCount(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = (value * 10).rounded() / 10
        let text = tenths == tenths.rounded() ? String(Int64(tenths)) : String(tenths)
        return "\(text) \(units[unit])"
    }
}
