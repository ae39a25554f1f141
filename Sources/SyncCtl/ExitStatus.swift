@preconcurrency import Glibc
import SyncClient
import SyncCore
import SyncOS
import SyncProtocol

/// syncctl's exit codes: one table for every command, documented in `syncctl --help` and the README.
/// `run` passes its command's own status through; these codes mean the command never ran.
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    /// The agent refused the operation: cycle, invalid name, same status, not registered, a limit. Also a command
    /// that succeeded but could not write its output.
    case refused = 1
    /// Bad arguments or flags.
    case usage = 2
    /// A dependency failed or was skipped (`start`, `run`), or a waited-for unit did (`wait`).
    case dependencyFailed = 122
    /// The agent is not reachable, went away, came back without its state, or its socket is not trusted.
    case unreachable = 123
    /// The timeout expired (same code as timeout(1)).
    case timeout = 124
    /// `run`: the command was found but could not be executed.
    case cannotExecute = 126
    /// `run`: the command was not found.
    case notFound = 127
    /// Interrupted by Ctrl-C or SIGTERM; the wait was cancelled on the agent.
    case interrupted = 130

    /// The status for an error the agent (or the connection) reported.
    init(_ code: ErrorCode) {
        switch code {
        case .unreachable, .shuttingDown, .unsupportedVersion, .badFrame, .badReply, .frameTooLarge, .unsafeSocket,
            .agentRestarted:
            self = .unreachable
        case .dependencyFailed, .unitFailed: self = .dependencyFailed
        case .timeout: self = .timeout
        case .cancelled: self = .interrupted
        default: self = .refused
        }
    }

    /// The table shown in `syncctl --help`.
    static let helpTable = """
        EXIT STATUS:
          0    success
          1    refused by the agent: cycle, invalid name, same status, not registered;
               or the output could not be written (a full disk)
          2    usage error: bad arguments or flags
          122  a dependency failed or was skipped (start, run, wait)
          123  the agent is unreachable, went away, restarted without its state, sent a
               reply syncctl cannot read, or its socket could have been put there by
               another user
          124  timeout
          126  run: the command could not be executed
          127  run: the command was not found
          130  interrupted (Ctrl-C); the wait was cancelled on the agent
          Otherwise run exits with its command's status (128+N: killed by signal N).
        """
}

/// A command failed: the message for stderr (printed as `error: <message>`), an optional hint, and the exit code.
struct CommandFailure: Error {
    var status: ExitStatus
    var message: String
    var hint: String?

    init(_ status: ExitStatus, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    /// From an agent or connection error, prefixed as coder prefixes its errors (`start unit failed: …`).
    init(_ error: WireError, prefix: String?, socket: SocketPath) {
        let status = ExitStatus(error.code)
        let keepsOwnText = [
            .unreachable, .timeout, .dependencyFailed, .unitFailed, .cancelled, .unsafeSocket, .agentRestarted,
        ].contains(error.code)
        let message = prefix.map { keepsOwnText ? error.message : "\($0): \(error.message)" } ?? error.message
        self.init(status, message, hint: Self.hint(for: error, socket: socket))
    }

    /// What syncctl prints on stderr for it: `error: <message>`, then `hint: <hint>` when there is one.
    var lines: [String] {
        ["error: \(message)"] + (hint.map { ["hint: \($0)"] } ?? [])
    }

    /// What to do about a failed connect, by its `errno`.
    private static func hint(for error: WireError, socket: SocketPath) -> String? {
        guard error.code == .unreachable, let posixError = error.posixError else { return nil }
        if posixError == EACCES {
            return "the socket belongs to another user; run syncctl as the agent's user"
        }
        if posixError == ECONNREFUSED, let kind = Posix.nonSocketKind(at: socket.path) {
            let origin = socket.source == .defaultDirectory ? "the default path" : socket.source.rawValue
            return "\(socket.path) is \(kind), not a socket; check \(origin)"
        }
        if posixError == ENOENT || posixError == ECONNREFUSED {
            let origin = socket.source == .defaultDirectory ? "" : " (path from \(socket.source.rawValue))"
            return "is the agent running? start it with sync-agent\(origin)"
        }
        return nil
    }
}
