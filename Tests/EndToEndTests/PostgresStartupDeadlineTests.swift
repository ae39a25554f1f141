@preconcurrency import Glibc
import SyncTestSupport
import Testing

/// A store that takes the TCP connection and then never answers (a hung server, a proxy with nothing behind it):
/// the connection's start-up has a deadline (postgres-nio's connect timeout, which the agent sets to 5 s), and the
/// agent exits saying what happened instead of waiting forever.
@Suite("The store's connection start-up has a deadline")
struct PostgresStartupDeadlineTests {
    @Test func aServerThatNeverAnswersFailsTheAgentWithinTheDeadline() async throws {
        // A listening socket nobody accepts on: the kernel completes the TCP handshake, then nothing more comes.
        let listener = try TestSocket.tcpListener()
        defer { close(listener) }
        let port = try TestSocket.port(of: listener)

        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let agent = try RunningProcess(
            Products.path("sync-agent"),
            [
                "--socket-path", directory.file("a.sock"), "--store", "postgres://nobody@127.0.0.1:\(port)/db",
                "--workspace", "hung",
            ])
        let ended = await agent.finish()
        #expect(ended.status != 0, "\(ended)")
        #expect(ended.stderr.contains("cannot connect to PostgreSQL at postgres://nobody@127.0.0.1:"), "\(ended)")
        #expect(ended.stderr.contains("Connect timeout (5 s)"), "\(ended)")
        #expect(ended.stderr.contains("Check that the server runs"), "\(ended)")
    }
}
