import Foundation
import SyncReadiness
import SyncTestSupport
import Testing

/// Debian's PostgreSQL (built with systemd support) speaks sd_notify: `READY=1` once it accepts connections,
/// `STOPPING=1` when it shuts down. The server runs as the user `postgres` (the tests run as root in CI), so the
/// notify socket's directory and the socket itself are handed over to that user (chown; modes stay 0700 and 0600);
/// the test, as root, still reads it.
@Suite("PostgreSQL over notify")
struct PostgresNotifyTests {
    @Test func debiansPostgresSendsReadyOnceItAcceptsConnections() async throws {
        let server = try await PostgresServer()
        let socket = try NotifySocket(directory: try server.privateDirectory("notify"))
        defer { socket.close() }
        try server.handOver(socket.path)
        try await server.run(environment: ["NOTIFY_SOCKET": socket.path]) { server in
            let messages = await socket.messages(until: .ready)
            guard messages.contains(.ready) else {
                let descriptor = socket.descriptor
                let open = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)")
                let log = String(describing: await server.stop())
                let text =
                    "no READY=1 from postgres in 60 s: \(messages); notify socket fd \(descriptor): \(open ?? "closed"); \(log)"
                Issue.record(Comment(rawValue: text))
                return
            }
            // Ready means ready: the first connection after READY=1 succeeds.
            let select = try await server.psql(["-tAc", "select 1"])
            #expect(select.status == 0, "\(select)")
            #expect(select.stdout == "1\n")
            let log = await server.stop()
            #expect(log?.status == 0)
            #expect(log?.stderr.contains("database system is shut down") == true, "\(String(describing: log))")
        }
        #expect(socket.receive().contains(.stopping))
    }
}

extension NotifySocket {
    /// Everything received until `last` arrives or 60 s pass, waiting with poll on a thread of its own.
    fileprivate func messages(until last: NotifyMessage) async -> [NotifyMessage] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var messages: [NotifyMessage] = []
                let deadline = Date().addingTimeInterval(60)
                while !messages.contains(last) && Date() < deadline {
                    var entry = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
                    _ = poll(&entry, 1, 1000)
                    messages += self.receive()
                }
                continuation.resume(returning: messages)
            }
        }
    }
}
