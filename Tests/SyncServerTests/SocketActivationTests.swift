import Foundation
import Logging
import SyncClient
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// Socket activation inside the test process: what `LISTEN_*` ask for, which handed descriptors are refused and
/// why, and an agent serving a socket it did not bind. (The real `systemd-socket-activate` with the built binary:
/// `SocketActivationProcessTests`.)
@Suite("Socket activation")
struct SocketActivationTests {
    private func request(_ variables: [String: String], pid: Int32 = 42) throws -> SocketActivation.Request {
        try SocketActivation.request(environment: { variables[$0] }, pid: pid)
    }

    @Test func withoutListenFDsTheAgentBindsAsUsual() throws {
        #expect(try request([:]) == .none)
        #expect(try request(["LISTEN_PID": "42", "LISTEN_FDS": "0"]) == .none)
    }

    @Test func listenFDsForAnotherProcessAreIgnoredWithTheReason() throws {
        #expect(
            try request(["LISTEN_PID": "7", "LISTEN_FDS": "1"]) == .ignored("LISTEN_PID 7 is not this process (pid 42)")
        )
        #expect(try request(["LISTEN_FDS": "1"]) == .ignored("LISTEN_FDS is set without LISTEN_PID"))
    }

    @Test func oneHandedSocketIsServedWithItsName() throws {
        #expect(try request(["LISTEN_PID": "42", "LISTEN_FDS": "1"]) == .serve(name: nil))
        #expect(
            try request(["LISTEN_PID": "42", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "sync-agent.socket"])
                == .serve(name: "sync-agent.socket"))
    }

    @Test func moreThanOneSocketOrAMalformedCountIsAnError() {
        #expect {
            try request(["LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "a:b"])
        } throws: { error in
            "\(error)"
                == "socket activation handed 2 sockets (a, b); sync-agent serves exactly one: give its .socket unit "
                + "a single ListenStream= (or systemd-socket-activate a single -l)"
        }
        #expect {
            try request(["LISTEN_PID": "42", "LISTEN_FDS": "one"])
        } throws: { error in
            "\(error)".hasPrefix(#"socket activation: LISTEN_FDS is "one", not a number of descriptors"#)
        }
    }

    @Test func aListeningUnixStreamSocketGivesItsPath() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fd = try TestSocket.unix(SOCK_STREAM, at: directory.socket, listening: true)
        defer { close(fd) }
        #expect(try SocketActivation.check(fd) == directory.socket)
    }

    @Test func aDescriptorThatIsNotAListeningUnixStreamSocketWithAPathIsRefusedSayingWhat() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let datagram = try TestSocket.unix(SOCK_DGRAM, at: directory.file("d"), listening: false)
        let idle = try TestSocket.unix(SOCK_STREAM, at: directory.file("i"), listening: false)
        let abstract = try TestSocket.unix(SOCK_STREAM, at: "\0sync-agent-test-\(getpid())", listening: true)
        let tcp = try TestSocket.tcpListener()
        defer { [null, datagram, idle, abstract, tcp].forEach { close($0) } }
        let expected: [(Int32, String)] = [
            (-1, "cannot be used: bad file descriptor"), (null, "is a character device, not a socket"),
            (datagram, "is a datagram socket, not a stream socket"),
            (idle, "is a Unix stream socket that is not listening"),
            (abstract, "is not bound to a path (an abstract or unnamed socket)"),
            (tcp, "is an IPv4 socket, not a Unix socket"),
        ]
        for (fd, problem) in expected {
            #expect {
                _ = try SocketActivation.check(fd)
            } throws: { error in
                let message = "\(error)"
                return message.contains(problem) && message.hasPrefix("descriptor \(fd), handed by socket activation")
                    && message.hasSuffix(
                        "give sync-agent's .socket unit one ListenStream=/path (systemd-socket-activate: -l /path)")
            }
        }
    }

    /// The agent serves the handed socket, says its path in hello, and leaves it (listening, its file in place)
    /// to its owner when it stops; a second agent on that path still refuses to start.
    @Test func anAgentServesAHandedSocketAndLeavesItToItsOwner() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fd = try TestSocket.unix(SOCK_STREAM, at: directory.socket, listening: true)
        let handed = HandedSocket(descriptor: dup(fd), path: directory.socket, name: nil)
        defer { close(fd) }
        let agent = try await InProcessAgent.start(in: directory, configure: { $0.handedSocket = handed })
        let client = try await agent.client()
        _ = try await client.want("web", dependsOn: ["db"])
        _ = try await client.start("db")
        try await client.complete("db")
        _ = try await client.start("web")
        try await client.complete("web")
        #expect(client.connection.hello?.socket == directory.socket)
        client.close()
        do {
            _ = try await InProcessAgent.start(in: directory, waitWhileInUse: false)
            Issue.record("a second agent started on a path another agent serves")
        } catch let error as AgentStartError {
            #expect(error.isInUse)
        }
        await agent.stopKeepingFiles()
        var info = stat()
        #expect(lstat(directory.socket, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK)
        // The owner's descriptor still listens: a client's connection is queued, not refused.
        #expect(SocketGuard.isLive(directory.socket))
    }

    /// An agent that bound its socket removes it on exit only if it is still that file: one put in its place
    /// since (systemd's socket unit binding the same path) stays.
    @Test func anAgentLeavesASocketThatReplacedItsOwn() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let agent = try await InProcessAgent.start(in: directory)
        #expect(unlink(directory.socket) == 0)
        let replacement = try TestSocket.unix(SOCK_STREAM, at: directory.socket, listening: true)
        defer { close(replacement) }
        await agent.stopKeepingFiles()
        #expect(SocketGuard.isLive(directory.socket))
    }
}
