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
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0 && listen(listener, 8) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))

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
