import Synchronization
import SyncServer

/// A stop signal meets the agent whenever it comes: the watcher is installed before the agent starts, so a SIGTERM
/// sent while it binds its socket, loads its journal or has just begun answering is never ignored. One sent before
/// the server exists stops it as soon as it does.
final class StopRequest: Sendable {
    private struct State {
        var server: SyncServer?
        var requested = false
    }

    private let state = Mutex(State())

    /// A stop signal came: stops the server, or the server to come.
    func request() {
        let server = state.withLock { state -> SyncServer? in
            state.requested = true
            return state.server
        }
        if let server { Task { await server.shutdown() } }
    }

    /// The server is up: it is stopped at once if a stop signal came before.
    func serve(_ server: SyncServer) {
        let requested = state.withLock { state -> Bool in
            state.server = server
            return state.requested
        }
        if requested { Task { await server.shutdown() } }
    }
}
