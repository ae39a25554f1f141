@preconcurrency import Glibc
import SyncClient
import SyncCore
import SyncOS
import SyncProtocol

/// Starts an agent for a command that changes or waits on state (want, start, complete, fail, run, ready, wait,
/// note) when none answers on its socket, then connects to it.
///
/// Costs nothing while an agent answers: the first connect is the usual one, and only a connect that finds nobody
/// (no socket file: ENOENT; a stale one: ECONNREFUSED) spawns `sync-agent`, detached in a session of its own, on
/// the same socket with the journal beside it, logging to ``SocketPath/autostartLogPath``. Scripts that call at once
/// each spawn one; the socket's lock lets exactly one of them serve (the others exit 1), and every caller connects
/// to whichever won. Only the caller whose agent is the one serving prints `started sync-agent (pid N) on PATH`.
struct AgentAutostart: Sendable {
    /// Set to `0` (or `false`, `no`, `off`) to turn autostart off, as `--no-autostart` does.
    static let environmentVariable = "SYNC_AGENT_AUTOSTART"
    /// How long a started agent has to answer before the command gives up.
    static let answerWithin = Duration.seconds(5)

    let socket: SocketPath
    /// `--no-autostart` was given.
    let turnedOffByFlag: Bool

    /// Why autostart is off (`--no-autostart` or `SYNC_AGENT_AUTOSTART=…`), or `nil` when it is on.
    func turnedOffBy(environment: Environment.Lookup = Environment.value) -> String? {
        if turnedOffByFlag { return "--no-autostart" }
        guard let value = environment(Self.environmentVariable) else { return nil }
        let off = ["0", "false", "no", "off"].contains(value.lowercased())
        return off ? "\(Self.environmentVariable)=\(value)" : nil
    }

    /// Whether a failed connect found nobody at the socket: no socket file there, or a stale one (nothing listens).
    /// Anything else at the path (a regular file, a directory) is left to the usual error.
    static func findsNoAgent(_ error: WireError, at socket: SocketPath) -> Bool {
        guard error.code == .unreachable, let code = error.posixError else { return false }
        return code == ENOENT || (code == ECONNREFUSED && Posix.nonSocketKind(at: socket.path) == nil)
    }

    /// Connects to the agent, starting one first when none answers and autostart is on.
    /// - Throws: the usual connect errors; `unreachable` when no agent could be started or it never answered.
    func connect(helloTimeout: Duration = .seconds(10)) async throws(WireError) -> SyncClient {
        do {
            return try await SyncClient.connect(to: socket, client: "syncctl", helloTimeout: helloTimeout)
        } catch {
            guard Self.findsNoAgent(error, at: socket), turnedOffBy() == nil else { throw error }
            return try await startAgent(helloTimeout: helloTimeout)
        }
    }

    /// Spawns an agent and connects to the first one that answers (ours or another caller's).
    private func startAgent(helloTimeout: Duration) async throws(WireError) -> SyncClient {
        let executable = try AgentExecutable.locate(socket: socket)
        let log = SocketPath(path: socket.absolutePath, source: socket.source).autostartLogPath
        var missing = stat()
        if lstat(socket.directory, &missing) != 0 && !SocketPath.makeDirectories(socket.directory) {
            throw WireError(
                .unreachable,
                "no agent answers on \(socket.path), and syncctl cannot create its directory \(socket.directory) to "
                    + "start one: \(Posix.errorText()). \(Self.turnOff)")
        }
        let logged = FileContents.size(log) ?? 0
        var agent = try SpawnedAgent(executable, socket: socket.absolutePath, log: log)
        // One more try when ours lost to an agent that was stopping at that moment (it held the lock, then left).
        var respawns = 1
        let clock = ContinuousClock()
        let deadline = clock.now + Self.answerWithin
        var pause = Duration.milliseconds(1)
        while true {
            do {
                let client = try await SyncClient.connect(to: socket, client: "syncctl", helloTimeout: helloTimeout)
                if client.connection.hello?.pid == Int64(agent.pid) {
                    Output.error("started sync-agent (pid \(agent.pid)) on \(socket.path)")
                }
                return client
            } catch  where Self.findsNoAgent(error, at: socket) {
                // Ours exited (another agent holds the socket, or it failed): wait only while someone holds the
                // socket's lock, i.e. an agent is on its way.
                if let ended = agent.ended, FileLockHolders.pids(of: socket.path + ".lock")?.isEmpty ?? false {
                    guard respawns > 0, agent.exitedWithOne else {
                        throw failure(
                            "the sync-agent syncctl started (pid \(agent.pid)) \(ended)", log: log, from: logged)
                    }
                    respawns -= 1
                    agent = try SpawnedAgent(executable, socket: socket.absolutePath, log: log)
                    continue
                }
                if clock.now >= deadline {
                    let waited = DurationText.short(microseconds: Self.answerWithin.components.seconds * 1_000_000)
                    throw failure(
                        "the sync-agent syncctl started (pid \(agent.pid)) did not answer within \(waited)", log: log,
                        from: logged)
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(50))
            }
        }
    }

    /// What a failed autostart says: what happened, the agent's last words in its log, where the log is.
    private func failure(_ what: String, log: String, from offset: Int) -> WireError {
        let written = FileContents.text(log, from: offset, limit: 64 * 1024) ?? ""
        let last = written.split(separator: "\n").last.map { ": \($0)" } ?? ""
        return WireError(
            .unreachable,
            "no agent answers on \(socket.path), and \(what)\(last). Its log: \(log). \(Self.turnOff)")
    }

    /// The last sentence of every autostart failure.
    static let turnOff =
        "Start an agent yourself (sync-agent --socket-path PATH), or set \(environmentVariable)=0 to never start one"
}
