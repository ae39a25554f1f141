import Foundation
import SyncClient
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

/// What a subscriber of protocol version 3 is told on the stream about a shared store, without asking: the store
/// becoming unreachable and reachable again (the `store` push), and which agent made each change (`origin`); and
/// that a subscriber of version 2 is told none of it.
extension SharedGraphTests {
    /// This machine's host name, as the agents' origins name it.
    private static var hostName: String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func theStoresStateAndEachChangesOriginArePushedToVersionThreeSubscribersOnly() async throws {
        try await withAgents(2) { agents, server in
            #expect(try await agents.syncctl(0, "want", "app", "db").status == 0)
            let socket = agents.directory.file(Agents.socket(1))
            // Two clients written from docs/PROTOCOL.md: one says version 3, the other version 2. Each connects just
            // before its hello: the agent closes a connection that says nothing for 10 s, which a loaded machine
            // can take between two connects made at once.
            var connections: [RawConnection] = []
            defer { for connection in connections { connection.close() } }
            var snapshots: [JSON] = []
            for version in [3, 2] {
                let raw = try RawConnection(path: socket)
                connections.append(raw)
                await raw.send(#"{"id":0,"type":"hello","version":\#(version)}"# + "\n")
                let hello = try await raw.readFrame()
                #expect(hello?["ok"] == .bool(true), "\(hello?.compact ?? "nothing")")
                await raw.send(#"{"id":1,"type":"subscribe"}"# + "\n")
                let frame = try #require(try await raw.readFrame())
                #expect(frame["push"] == "snapshot", "\(frame.compact)")
                snapshots.append(frame["snapshot"]?["units"]?.arrayValue?.first ?? .null)
            }
            let (current, older) = (connections[0], connections[1])
            let first = "sync-agent pid \(agents.processes[0].pid) on \(Self.hostName)"
            #expect(snapshots[0]["changed_by"] == .string(first), "\(snapshots[0].compact)")
            #expect(snapshots[1]["changed_by"] == nil, "\(snapshots[1].compact)")

            // Agent 0's own subscriber, to learn when agent 0 (not only agent 1) can reach the store again.
            let watcher = try RawConnection(path: agents.directory.file(Agents.socket(0)))
            connections.append(watcher)
            await watcher.send(#"{"id":0,"type":"hello","version":3}"# + "\n" + #"{"id":1,"type":"subscribe"}"# + "\n")
            #expect(try await watcher.readFrame()?["ok"] == .bool(true))
            #expect(try await watcher.readFrame()?["push"] == "snapshot")

            let stopped = Date()
            await server.stop()
            let down = try #require(try await current.readFrame())
            let store = "postgres://\(server.user)@/postgres?host=\(server.socketDirectory)&port=5432"
            #expect(down["push"] == "store" && down["reachable"] == .bool(false), "\(down.compact)")
            #expect(down["store"] == .string(store), "\(down.compact)")
            #expect(down["reason"]?.stringValue?.isEmpty == false, "\(down.compact)")
            let since = Double(down["since_us"]?.int64Value ?? 0) / 1_000_000
            #expect(since >= stopped.timeIntervalSince1970 - 1 && since <= Date().timeIntervalSince1970)
            // sync-top --once shows it at once (from the history's stale mark, which the stream then keeps).
            let once = try await RunningProcess.run(
                Products.path("sync-top"), ["--once"], environment: ["SYNC_AGENT_SOCKET_PATH": socket])
            #expect(once.status == 0, "\(once)")
            #expect(once.stdout.contains("stale since") && once.stdout.contains("is unreachable"), "\(once)")

            try server.start()
            await server.waitUntilAcceptingConnections()
            let up = try #require(try await current.readFrame())
            #expect(up["push"] == "store" && up["reachable"] == .bool(true), "\(up.compact)")
            #expect(up["reason"] == nil && up["store"] == .string(store), "\(up.compact)")

            // A change on the other agent: version 3 gets its events with their origin; version 2 gets the same
            // events without it, and got nothing before them (no store push).
            // Agent 0 reconnects on its own schedule (1, 2, then every 4 s) and refuses changes until then: its own
            // push says when it can take one.
            for reachable in [false, true] {
                let pushed = try #require(try await watcher.readFrame())
                #expect(pushed["push"] == "store" && pushed["reachable"] == .bool(reachable), "\(pushed.compact)")
            }
            let started = try await agents.syncctl(0, "start", "db")
            #expect(started.status == 0, "\(started)")
            let expected: [(RawConnection, JSON?)] = [(current, .string(first)), (older, nil)]
            for (raw, origin) in expected {
                let registered = try #require(try await raw.readFrame())
                #expect(registered["push"] == "event", "\(registered.compact)")
                #expect(registered["event"]?["kind"] == "registered" && registered["event"]?["unit"] == "db")
                #expect(registered["origin"] == origin, "\(registered.compact)")
            }
            // And the client library hands the origin over.
            let client = try await SyncClient.connect(to: SocketPath(path: socket, source: .flag), client: "test")
            defer { client.close() }
            #expect(client.connection.version == 3)
            let stream = Task { () -> StreamItem? in
                for try await item in client.subscribe(since: 0) {
                    if case .event(let event, _) = item, case .statusChanged(_, _, .completed, _, _, _) = event.kind {
                        return item
                    }
                }
                return nil
            }
            #expect(try await agents.syncctl(0, "complete", "db").status == 0)
            guard case .event(_, let origin)? = try await stream.value else {
                Issue.record("no completion of db")
                return
            }
            #expect(origin == first)
        }
    }

    /// The live dashboard on an agent of protocol version 3 shows the store's outage and its end as the agent pushes
    /// them: it never asks (`status`) as it does an older agent.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "tmux is not installed"))
    func theDashboardShowsTheStoreStaleAndLiveAgainWithoutAsking() async throws {
        try await withAgents(1) { agents, server in
            #expect(try await agents.syncctl(0, "want", "app", "db").status == 0)
            // An agent that logs every hello, to see that sync-top never opens its store watch.
            let socket = agents.directory.file("debug.sock")
            let agent = try RunningProcess(
                Products.path("sync-agent"),
                [
                    "--socket-path", socket, "--log-level", "debug", "--store",
                    "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)", "--workspace", "shared",
                ])
            await agent.waitForOutput(containing: "agent listening")
            let session = try await SyncTopTmuxTests.Session(socket: socket)
            _ = try await session.waitFor("● live")
            await server.stop()
            let stale = try await session.waitFor("stale since")
            #expect(stale.contains("the shared store postgres://"), "\(stale)")
            try server.start()
            await server.waitUntilAcceptingConnections()
            _ = try await session.waitFor("● live")
            try await session.keys("q")
            _ = try await session.waitFor("EXIT=0")
            await session.close()
            agent.signal(SIGTERM)
            let result = await agent.finish()
            #expect(result.stderr.contains("sync-top"), "the agent logged no hello of sync-top: \(result)")
            #expect(!result.stderr.contains("store watch"), "\(result)")
        }
    }
}
