import ArgumentParser
import Logging
import SyncOS
import SyncServer

extension SyncAgentCommand {
    /// The socket to serve: the one handed by socket activation (`LISTEN_FDS`), or the resolved path to bind.
    /// Exits 1 with the reason when the handed socket cannot be served, or `--socket-path` names another one.
    static func listeningSocket(explicit: String?) throws -> (SocketPath, HandedSocket?) {
        let logger = Logger(label: "sync-agent")
        let request: SocketActivation.Request
        let handed: HandedSocket?
        do {
            (request, handed) = try SocketActivation.take()
        } catch {
            try? Descriptor.writeAll(2, "sync-agent: error: \(error)\n")
            throw ExitCode.failure
        }
        if case .ignored(let reason) = request {
            logger.notice("socket activation ignored: \(reason); binding the socket path as usual")
        }
        guard let handed else { return (SocketPath.resolve(explicit: explicit), nil) }
        if let explicit, !explicit.isEmpty, explicit != handed.path {
            try? Descriptor.writeAll(
                2,
                "sync-agent: error: socket activation handed the socket \(handed.path), but --socket-path says "
                    + "\(explicit); drop --socket-path or make it the same path\n")
            throw ExitCode.failure
        }
        let resolved = SocketPath.resolve(explicit: explicit)
        if resolved.path != handed.path {
            logger.notice(
                "the socket handed by socket activation is not where clients of this environment look",
                metadata: [
                    "socket": "\(handed.path)", "clients look at": "\(resolved.path)",
                    "from": "\(resolved.source.rawValue)",
                ])
        }
        return (SocketPath(path: handed.path, source: .flag), handed)
    }
}
