@preconcurrency import Glibc
import CPeerCredentials
import NIOCore

/// Who is at the other end of a connection, as the kernel recorded it when the peer connected (`SO_PEERCRED`).
struct PeerCredentials: Sendable, Equatable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32

    /// Reads the credentials of `channel`'s peer. Must run on the channel's event loop; the future is then already
    /// complete. Fails where the platform cannot tell (the agent then refuses the connection).
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        let level = sync_peer_credentials_level()
        let option = sync_peer_credentials_option()
        guard level >= 0, let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(Unavailable())
        }
        let value: EventLoopFuture<sync_peer_credentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(level), name: SocketOptionName(option))
        return value.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }

    /// The platform has no way to read a peer's credentials.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "this platform cannot read a Unix socket peer's credentials" }
    }
}
