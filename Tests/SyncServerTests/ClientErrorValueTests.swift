import Glibc
import SyncClient
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

/// What callers branch on in a client's own errors is a value, never the message's text: the `errno` of a failed
/// connect, and the message a reconnection deadline is to carry.
@Suite("Client error values")
struct ClientErrorValueTests {
    @Test func aFailedConnectCarriesItsErrno() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let error = await #expect(throws: WireError.self) {
            _ = try await SyncClient.connect(to: SocketPath(path: directory.socket, source: .flag))
        }
        #expect(error?.code == .unreachable)
        #expect(error?.posixError == ENOENT)
        #expect(error?.message.hasSuffix("connect: no such file or directory") == true, "\(String(describing: error))")
    }

    @Test func anErrorOfTheAgentCarriesNoErrno() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            let error = await #expect(throws: WireError.self) { try await client.complete("nobody") }
            #expect(error?.code == .notRegistered)
            #expect(error?.posixError == nil)
        }
    }

    @Test func theReconnectionDeadlineCarriesTheCallersMessage() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let reconnector = Reconnector(
            socketPath: SocketPath(path: directory.socket, source: .flag), deadlineMessage: "gave up on unit 'u'")
        let error = await #expect(throws: WireError.self) {
            try await reconnector.run(retryFirstConnection: true, timeout: .milliseconds(50)) { _, _ in }
        }
        #expect(error?.code == .timeout)
        #expect(error?.message == "gave up on unit 'u'")
    }
}
