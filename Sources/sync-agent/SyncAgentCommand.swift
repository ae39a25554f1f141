import ArgumentParser
import Dispatch
import Logging
import SyncProtocol
import SyncServer

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

            State survives restarts: every change is appended to a journal and synced to disk before it is \
            acknowledged; on start the agent rebuilds the graph from it (a torn last line is dropped with a warning; \
            a corrupt line elsewhere stops the agent and leaves the file untouched). The journal sits beside the \
            socket (agent.sock -> agent.journal) unless --state-file says otherwise; --ephemeral keeps everything \
            in memory.

            SIGINT and SIGTERM stop the agent cleanly: waiting clients are told, the socket is removed.
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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Least severe log level written to stderr: trace, debug, info, notice, warning, error, critical.",
            valueName: "level"))
    var logLevel: LogLevelArgument = .info

    func validate() throws {
        if ephemeral && stateFile != nil {
            throw ValidationError("--ephemeral and --state-file exclude each other")
        }
    }

    func run() async throws {
        let level = logLevel.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let path = SocketPath.resolve(explicit: socketPath)
        let journal = ephemeral ? nil : stateFile ?? AgentConfiguration.defaultJournalPath(for: path)
        let server: SyncServer
        do {
            server = try await SyncServer.start(
                AgentConfiguration(socketPath: path, journalPath: journal, logger: Logger(label: "sync-agent")))
        } catch {
            FileHandleless.writeError("sync-agent: error: \(error)\n")
            throw ExitCode.failure
        }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) {
            Task { await server.shutdown() }
        }
        try await server.waitUntilStopped()
        await server.shutdown()
        withExtendedLifetime(signals) {}
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

/// Runs a handler on the first of the given signals; later ones are ignored while it runs.
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }
}

/// stderr without Foundation.
enum FileHandleless {
    static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
    }
}
