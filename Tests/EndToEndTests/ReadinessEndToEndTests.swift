import Foundation
import SyncClient
import SyncOS
import SyncTestSupport
import Testing

/// A readiness report (sent as `syncctl run --ready` and `syncctl ready` send it) through the built binaries: what
/// `status`, `list -o json`, `why`, `watch` and `sync-top --once` show while the service starts and once it is ready.
@Suite("Readiness through the binaries")
struct ReadinessEndToEndTests {
    @Test func aReportIsShownByStatusListWhyWatchAndSyncTop() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "db")
            let watch = try agent.spawn("watch")
            await watch.waitForOutput(containing: "  db  ")
            let client = try await SyncClient.connect(
                to: SocketPath(path: agent.socket, source: .flag), client: "test")
            defer { client.close() }
            try await client.reportReadiness(
                "db", checks: ["tcp:127.0.0.1:5432"], attempts: 12, result: "connection refused")

            let waiting = "waiting for tcp:127.0.0.1:5432 (attempt 12: connection refused)"
            let status = try await agent.syncctl("status", "db")
            #expect(status.stdout.contains("Ready: true\nReadiness: \(waiting)\n\nDependencies:\n"), "\(status)")
            let list = try await agent.syncctl("list", "-o", "json")
            #expect(list.stdout.contains(#""readiness": {"#), "\(list)")
            #expect(list.stdout.contains(#""attempts": 12"#), "\(list)")
            #expect(try await agent.syncctl("why", "db").stdout.contains("running; \(waiting)"))
            await watch.waitForOutput(containing: "db  readiness: waits for [tcp:127.0.0.1:5432], attempt 12")
            let top = try await RunningProcess.run(
                Products.path("sync-top"), ["--once", "--socket-path", agent.socket],
                environment: ["LC_ALL": "C.UTF-8", "TZ": "UTC", "TERM": "xterm-256color"])
            #expect(top.stdout.contains("ready? tcp:5432 · attempt 12 · connection refused"), "\(top)")

            _ = try await agent.syncctl("complete", "db")
            let ready = try await agent.syncctl("status", "db")
            #expect(ready.stdout.contains("Readiness: ready after "), "\(ready)")
            #expect(ready.stdout.contains(" (tcp:127.0.0.1:5432)\n"), "\(ready)")
            watch.signal(SIGINT)
            _ = await watch.finish()
        }
    }

    /// Forward compatibility through the binary: `syncctl watch` facing an agent that streams an event kind this
    /// build does not know skips it and prints the event after it, instead of stopping with exit 123.
    @Test func watchSkipsAnEventKindItDoesNotKnow() async throws {
        let agent = try ScriptedAgent { id, request in
            guard request["type"] == "subscribe" else { return [] }
            return [
                #"{"id":\#(id),"push":"snapshot","instance":"s","snapshot":{"sequence":0,"units":[],"edges":[]}}"#,
                #"{"id":\#(id),"push":"event","event":{"seq":1,"time_us":1,"kind":"teleported","unit":"a"}}"#,
                #"{"id":\#(id),"push":"event","event":{"seq":2,"time_us":2,"kind":"registered","unit":"a"}}"#,
            ]
        }
        defer { agent.stop() }
        let watch = try RunningProcess(
            Products.path("syncctl"), ["watch", "--socket-path", agent.directory.socket], environment: ["TZ": "UTC"])
        await watch.waitForOutput(containing: "#2  a  registered (pending)")
        watch.signal(SIGINT)
        let result = await watch.finish()
        #expect(result.stdout.contains("#2  a  registered (pending)"), "\(result)")
        #expect(!result.stdout.contains("teleported") && !result.stderr.contains("teleported"), "\(result)")
        #expect(result.status != 123, "\(result)")
    }
}
