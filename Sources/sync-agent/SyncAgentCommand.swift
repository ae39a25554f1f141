import ArgumentParser
import Logging
import SyncOS
import SyncProtocol
import SyncServer

@preconcurrency import Glibc

@main
struct SyncAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-agent",
        abstract: "Keep the dependency graph of a workspace's start-up scripts and serve it on a Unix socket.",
        discussion: """
            Scripts declare what they wait for with `syncctl want`, block with `syncctl start` until their \
            dependencies completed, and report with `syncctl complete` or `syncctl fail`. The agent holds the \
            graph and wakes each waiter the moment it can run.

            Socket path, first that applies: --socket-path, $SYNC_AGENT_SOCKET_PATH, \
            $XDG_RUNTIME_DIR/sync-agent.sock (when that directory exists and is yours), \
            /tmp/sync-agent-<uid>/agent.sock (directory created 0700). The socket is 0600. A stale socket file is \
            replaced; a live agent on the same path is never taken over.

            Socket activation: started with LISTEN_FDS=1 and LISTEN_PID set to its pid (a systemd .socket unit, \
            systemd-socket-activate; contrib/systemd has user units), the agent serves the listening Unix stream \
            socket it is handed on descriptor 3 instead of binding one. Its path (getsockname) is the socket path, \
            beside which the journal goes; --socket-path, if given, must name it. More than one socket, or one \
            that is not a listening Unix stream socket with a path, exits 1. The agent never removes a handed \
            socket, and unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES; LISTEN_FDS for another pid is ignored.

            State survives restarts: every change is appended to a journal and synced to disk before it is \
            acknowledged; on start the agent rebuilds the graph from it (a torn last line is dropped with a warning; \
            a corrupt line elsewhere stops the agent and leaves the file untouched). The journal sits beside the \
            socket (agent.sock -> agent.journal) unless --state-file says otherwise; --ephemeral keeps everything \
            in memory. One agent per journal: it is locked (<journal>.lock holds the pid), and a second agent on \
            it exits 1 naming that pid. A journal deleted or replaced while the agent runs is written back in \
            full within a second (or at its next change), with a warning.

            With --store postgres://USER@HOST:PORT/DB (or $SYNC_AGENT_STORE) the graph is kept in PostgreSQL \
            instead, in the workspace --workspace names (tables created and migrated by the agent; a change is \
            acknowledged once committed). Every agent naming the same store and workspace, on this host or \
            another, serves one graph: a change is one transaction under the workspace's lock, other agents are \
            told by NOTIFY and wake their waiters, and reads answer after catching up. PostgreSQL unreachable at \
            start: exit 1; lost later: changes are refused with store_unavailable and reads answer from the \
            agent's last copy until it is back (docs/MULTI-HOST.md). The workspace keeps --retention events \
            (10000 by default) behind its latest snapshot; an agent cut off while the others wrote more reloads \
            the snapshot by itself.

            Only the agent's own user and root may talk to it: the socket is 0600, and each connection's peer uid \
            is checked (SO_PEERCRED). When the journal cannot be written (disk full, read-only), the change is \
            undone and refused with journal_unavailable, and changes are refused until a write succeeds again; \
            reads keep working. Limits refuse one request with limit_exceeded and say which flag raises them \
            (docs/RELIABILITY.md).

            SIGINT, SIGTERM and SIGHUP (the terminal of `sync-agent &` closed) stop the agent cleanly: waiting \
            clients are told (shutting_down), the socket is removed, exit status 0. SIGHUP is ignored when it \
            was ignored at start (`nohup sync-agent &`). SIGUSR1, SIGUSR2, SIGALRM and SIGVTALRM are logged and \
            ignored; SIGPIPE is ignored. Usage errors exit with status 2, any other failure to start with 1.
            """,
        version: ProtocolVersion.productVersion
    )

    @Option(name: .long, help: ArgumentHelp("Path of the Unix socket to listen on.", valueName: "path"))
    var socketPath: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Journal file (default: beside the socket, agent.journal).", valueName: "path"))
    var stateFile: String?

    @Flag(help: "Keep the state in memory only: no journal, nothing survives a restart.")
    var ephemeral = false

    @OptionGroup(title: "PostgreSQL store")
    var store: StoreOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Least severe log level written to stderr: trace, debug, info, notice, warning, error, critical.",
            valueName: "level"))
    var logLevel: LogLevelArgument = .info

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Append the log and any error to this file instead of stderr (created 0600 when missing). An agent "
                + "that syncctl starts by itself logs beside its socket: agent.sock -> agent.log.",
            valueName: "path"))
    var logFile: String?

    @OptionGroup(title: "Limits")
    var limits: LimitOptions

    /// Runs the command line; a usage error exits 2, as it does for `syncctl`.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                try? Descriptor.writeAll(2, fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }

    func validate() throws {
        if ephemeral && stateFile != nil {
            throw ValidationError("--ephemeral and --state-file exclude each other")
        }
        try limits.validate()
        try store.validate(journalChosen: ephemeral || stateFile != nil)
    }

    func run() async throws {
        if let logFile { try Self.sendStandardError(to: logFile) }
        let level = logLevel.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        // Socket activation hands a listening socket; without it the agent binds the resolved path.
        let (path, handed) = try Self.listeningSocket(explicit: socketPath)
        let journal = ephemeral ? nil : stateFile ?? AgentConfiguration.defaultJournalPath(for: path)
        // Each connection holds a file descriptor: the connection limit, not a default `ulimit -n` of 1024, decides
        // how many clients the agent serves.
        FileLimit.raiseToHardLimit()
        // A journal write past RLIMIT_FSIZE must fail with EFBIG (a journal failure the agent handles), not kill it.
        signal(SIGXFSZ, SIG_IGN)
        // Writes to a client that went away fail with EPIPE; so does a log line to a closed terminal.
        signal(SIGPIPE, SIG_IGN)
        // Watched before the agent starts: a stop signal that comes while it starts is never lost (see StopRequest).
        let logger = Logger(label: "sync-agent")
        let stop = StopRequest()
        let signals = SignalWatcher(signals: Self.stopSignals()) { number in
            logger.info("stopping on signal \(SignalWatcher.name(number))")
            stop.request()
        }
        let ignored = SignalWatcher(signals: [SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM], once: false) { number in
            logger.notice(
                "ignored signal \(SignalWatcher.name(number)); SIGTERM, SIGINT or SIGHUP stop the agent")
        }
        let server: SyncServer
        do {
            var configuration = AgentConfiguration(
                socketPath: path, handedSocket: handed, journalPath: journal, maxFrameBytes: limits.maxFrameBytes,
                limits: limits.agentLimits, logger: Logger(label: "sync-agent"))
            configuration.store = try store.eventStore(
                journalChosen: ephemeral || stateFile != nil, logger: configuration.logger)
            server = try await SyncServer.start(configuration)
        } catch {
            try? Descriptor.writeAll(2, "sync-agent: error: \(error)\n")
            throw ExitCode.failure
        }
        stop.serve(server)
        try await server.waitUntilStopped()
        await server.shutdown()
        withExtendedLifetime((signals, ignored)) {}
        if let fatal = server.fatalError {
            try? Descriptor.writeAll(2, "sync-agent: error: \(fatal)\n")
            throw ExitCode.failure
        }
    }
}

/// The limits, as flags. Defaults are those of ``AgentLimits``.
struct LimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Largest request frame, in bytes.", valueName: "bytes"))
    var maxFrameBytes: Int = ProtocolVersion.maxFrameBytes

    @Option(help: ArgumentHelp("Registered units.", valueName: "n"))
    var maxUnits: Int = AgentLimits.standard.units

    @Option(help: ArgumentHelp("Dependencies of one unit.", valueName: "n"))
    var maxEdgesPerUnit: Int = AgentLimits.standard.edgesPerUnit

    @Option(help: ArgumentHelp("Client connections open at once (kept under ulimit -n).", valueName: "n"))
    var maxConnections: Int = AgentLimits.standard.connections

    @Option(help: ArgumentHelp("Waiting starts, waits and subscriptions on one connection.", valueName: "n"))
    var maxRequestsPerConnection: Int = AgentLimits.standard.inFlightPerConnection

    @Option(help: ArgumentHelp("Waiting starts and waits over all connections.", valueName: "n"))
    var maxParkedWaits: Int = AgentLimits.standard.parkedWaits

    @Option(help: ArgumentHelp("Event-stream subscribers (watch, sync-top).", valueName: "n"))
    var maxSubscribers: Int = AgentLimits.standard.subscribers

    func validate() throws {
        let values = [
            ("--max-frame-bytes", maxFrameBytes), ("--max-units", maxUnits), ("--max-edges-per-unit", maxEdgesPerUnit),
            ("--max-connections", maxConnections), ("--max-requests-per-connection", maxRequestsPerConnection),
            ("--max-parked-waits", maxParkedWaits), ("--max-subscribers", maxSubscribers),
        ]
        for (flag, value) in values where value < 1 {
            throw ValidationError("\(flag) must be at least 1")
        }
        if maxFrameBytes < 1024 {
            throw ValidationError("--max-frame-bytes must be at least 1024: a hello must fit")
        }
    }

    var agentLimits: AgentLimits {
        AgentLimits(
            units: maxUnits, edgesPerUnit: maxEdgesPerUnit, connections: maxConnections,
            inFlightPerConnection: maxRequestsPerConnection, parkedWaits: maxParkedWaits, subscribers: maxSubscribers)
    }
}

/// `--log-level` values.
struct LogLevelArgument: ExpressibleByArgument {
    let level: Logger.Level

    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument.lowercased()) else { return nil }
        self.level = level
    }

    init(level: Logger.Level) { self.level = level }

    static let info = LogLevelArgument(level: .info)

    var defaultValueDescription: String { level.rawValue }

    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
}

extension SyncAgentCommand {
    /// SIGINT, SIGTERM, and SIGHUP unless the agent was started with SIGHUP ignored (`nohup`).
    static func stopSignals() -> [Int32] {
        var current = sigaction()
        guard sigaction(SIGHUP, nil, &current) == 0 else { return [SIGINT, SIGTERM, SIGHUP] }
        let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        let hangupIgnored = handler == unsafeBitCast(SIG_IGN, to: Int.self)
        return hangupIgnored ? [SIGINT, SIGTERM] : [SIGINT, SIGTERM, SIGHUP]
    }
}

extension SyncAgentCommand {
    /// `--log-file`: stderr, where the log and the errors go, becomes `path`, opened for appending.
    static func sendStandardError(to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0o600)
        guard fd >= 0 else {
            try? Descriptor.writeAll(
                2, "sync-agent: error: open log file \(path): \(errorText()); choose another --log-file\n")
            throw ExitCode.failure
        }
        if fd != 2 {
            dup2(fd, 2)
            close(fd)
        }
    }
}
