@preconcurrency import Glibc
import CPeerCredentials
import SyncCore
import SyncOS
import SyncProtocol

/// Who serves a socket the client just connected to: the kernel's record of the listening process's uid
/// (`SO_PEERCRED`, `getpeereid` on macOS). Only the user's own agent, or one run by root, is trusted.
enum PeerCheck {
    /// - Returns: `nil` when the server runs as the user or root; otherwise the `unsafe_socket` error to throw
    ///   (also when the platform cannot tell who the server is).
    static func refusal(_ fd: Int32, socketPath: SocketPath) -> WireError? {
        var credentials = sync_peer_credentials()
        guard sync_peer_credentials_of(fd, &credentials) == 0 else {
            return WireError(
                .unsafeSocket,
                "cannot tell who serves \(socketPath.path) (\(Posix.errorText())), so nothing was sent to it. "
                    + SocketPath.saferPlaces)
        }
        let uid = getuid()
        guard credentials.uid != uid && credentials.uid != 0 else { return nil }
        return WireError(
            .unsafeSocket,
            "\(socketPath.path) is served by uid \(credentials.uid) (pid \(credentials.pid)), not by you "
                + "(uid \(uid)) or root: another user may be passing for your agent, so nothing was sent to it. "
                + SocketPath.saferPlaces)
    }
}
