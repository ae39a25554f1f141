import Glibc
import CPeerCredentials
import SyncClient
import SyncProtocol
import SyncServer
import SyncTestSupport
import Testing

/// Only the agent's own user and root get in: each connection's peer uid is read from the kernel (SO_PEERCRED).
@Suite("Peer credentials")
struct PeerCredentialTests {
    @Test func theShimReadsTheKernelsCredentialsOfAPeer() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var peer = sync_peer_credentials()
        #expect(sync_peer_credentials_of(fds[0], &peer) == 0)
        #expect(peer.uid == getuid())
        #expect(peer.gid == getgid())
        #expect(peer.pid == getpid())
        #expect(sync_peer_credentials_level() == SOL_SOCKET)
    }

    @Test func theDefaultPolicyIsTheAgentsOwnUserAndRoot() {
        #expect(AgentConfiguration.defaultPeerUIDs == [UInt32(getuid()), 0])
    }

    @Test func aPeerOfAnotherUserIsRefusedWithAClearErrorAndOneLogLine() async throws {
        let log = LogRecorder()
        // Serve only a uid nobody here has: this test process becomes "another user".
        let agent = try await InProcessAgent.start(configure: {
            $0.allowedPeerUIDs = [4_000_000_123]
            $0.logger = log.logger()
        })
        defer { Task { await agent.stop() } }
        let raw = try RawConnection(path: agent.socketPath.path)
        defer { raw.close() }
        raw.setReadTimeout(10)
        // Told as it connects, before it sends anything.
        let reply = try #require(try await raw.readFrame())
        #expect(reply.errorCode == "permission_denied")
        #expect(reply["id"] == .null)
        #expect(reply.errorMessage.contains("serves uid 4000000123 only, and you are uid \(getuid())"))
        #expect(try await raw.readFrame() == nil)  // and the connection is closed
        #expect(log.count("refused a client of another user") == 1)
        #expect(log.all.contains { $0.contains("refused a client of another user") && $0.contains("uid=\(getuid())") })

        // The client library reports the refusal as the agent's error, not as a lost connection.
        let error = await #expect(throws: WireError.self) { _ = try await SyncClient.connect(to: agent.socketPath) }
        #expect(error?.code == .permissionDenied)
        await agent.stop()
    }

    @Test func aRefusedPeerThatSendsNothingIsClosedAfterTheHelloTimeout() async throws {
        let agent = try await InProcessAgent.start(configure: {
            $0.allowedPeerUIDs = []
            $0.helloTimeout = .milliseconds(100)
        })
        defer { Task { await agent.stop() } }
        let raw = try RawConnection(path: agent.socketPath.path)
        defer { raw.close() }
        raw.setReadTimeout(10)
        let reply = try await raw.readFrame()
        #expect(reply?.errorCode == "permission_denied")
        #expect(try await raw.readFrame() == nil)
        await agent.stop()
    }

    @Test func theOwnUserIsServed() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            try await client.ping()
        }
    }
}
