import Foundation
import SyncTestSupport
import Testing

/// Attacks on the origin (`sync-agent pid N on HOST`), the one value of the shared store that comes from outside the
/// protocol: a host name is whatever its administrator set, up to 64 bytes, line breaks, quotes and escape sequences
/// included. The origin heads each notification's payload, whose lines are its events (docs/MULTI-HOST.md, Schema),
/// so a host name with line breaks must not make the other agents read something else as events.
extension AttackSuites {
    @Suite("Attack: hostile host names in origins", .timeLimit(.minutes(3)))
    struct AttackOriginTests {
        /// Runs `sync-agent` with `arguments` in a UTS namespace of its own whose host name is `host`.
        static func agent(host: String, _ arguments: [String]) throws -> RunningProcess {
            try RunningProcess(
                "/usr/bin/unshare",
                [
                    "-u", "python3", "-c",
                    "import os, socket, sys; socket.sethostname(sys.argv[1].encode()); os.execv(sys.argv[2], sys.argv[2:])",
                    host, Products.path("sync-agent"),
                ] + arguments)
        }

        /// The host name `evil\n0\n`: the payload of the first change of agent B then reads, line by line, as the
        /// sender `… on evil`, the sequence number 0, and the events ` #…` (the rest of the sender) and so on: agent A,
        /// whose copy is at 0, must not take those for events. (It did: it then took every later notification of B for
        /// one it had already applied, and a start parked on A waiting for B's completion was never woken.)
        @Test(arguments: ["evil\n0\n", "evil\n0\n{}\n", "a\"b\\c\u{1B}[31m\u{7}#1 #2"])
        func aHostNameWithLineBreaksDoesNotForgeEvents(host: String) async throws {
            try await PostgresServer().run { server in
                await server.waitUntilAcceptingConnections()
                let directory = TemporaryDirectory()
                defer { directory.remove() }
                let url = SharedCluster.socketURL(server)
                let (socketA, socketB) = (directory.file("a.sock"), directory.file("b.sock"))
                let agentA = try await AttackSupport.agent(socketA, store: url)
                let agentB = try Self.agent(host: host, ["--socket-path", socketB, "--store", url, "--workspace", "w"])
                await agentB.waitForOutput(containing: "agent listening")
                #expect(!agentB.hasEnded, "\(agentB.outputSoFar)")
                // Its control characters written `?` (docs/MULTI-HOST.md), so that the origin is one line.
                let shown = String(
                    host.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
                let origin = "sync-agent pid \(agentB.pid) on \(shown)"

                let subscriber = try WireClient(path: socketA)
                defer { subscriber.close() }
                _ = try await subscriber.exchange(#"{"id":0,"type":"hello","version":3}"#)
                let snapshot = try await subscriber.ask(#"{"id":1,"type":"subscribe"}"#)
                #expect(snapshot[object: "snapshot"]?[int: "sequence"] == 0, "\(snapshot)")
                let environment = ["SYNC_AGENT_SOCKET_PATH": socketB, "SYNC_AGENT_AUTOSTART": "0"]
                let want = try await RunningProcess.run(
                    Products.path("syncctl"), ["want", "app", "db"], environment: environment)
                #expect(want.status == 0, "\(want)")
                // A streams B's two events, as B stored them, with B's origin as it is (JSON-escaped on the wire).
                for (seq, kind) in [(1, "registered"), (2, "dependency_added")] {
                    let push = try await subscriber.object()
                    #expect(push[object: "event"]?[int: "seq"] == seq, "\(push)")
                    #expect(push[object: "event"]?[string: "kind"] == kind, "\(push)")
                    #expect(push[string: "origin"] == origin, "\(push)")
                }
                // A's waiter is woken by B's changes, and A's own change follows B's.
                let waiter = try RunningProcess(
                    Products.path("syncctl"), ["start", "app", "--timeout", "60s"],
                    environment: ["SYNC_AGENT_SOCKET_PATH": socketA, "SYNC_AGENT_AUTOSTART": "0"])
                for command in [["start", "db"], ["complete", "db"]] {
                    let result = try await RunningProcess.run(
                        Products.path("syncctl"), command, environment: environment)
                    #expect(result.status == 0, "\(result)")
                }
                let woken = await waiter.finish()
                #expect(woken.status == 0, "\(woken)")
                let list = try await RunningProcess.run(
                    Products.path("syncctl"), ["list", "-o", "json"],
                    environment: ["SYNC_AGENT_SOCKET_PATH": socketA, "SYNC_AGENT_AUTOSTART": "0"])
                #expect(list.status == 0, "\(list)")
                // An agent started now loads the workspace (every event checked) and names the same origins.
                let agentC = try await AttackSupport.agent(directory.file("c.sock"), store: url)
                #expect(!agentC.hasEnded, "\(agentC.outputSoFar)")
                let graph = try WireClient(path: directory.file("c.sock"))
                defer { graph.close() }
                _ = try await graph.exchange(#"{"id":0,"type":"hello","version":3}"#)
                let units = try await graph.ask(#"{"id":1,"type":"snapshot"}"#)[object: "result"]?[array: "units"]
                let db = (units as? [[String: Any]])?.first { $0[string: "unit"] == "db" }
                #expect(db?[string: "status"] == "completed" && db?[string: "changed_by"] == origin, "\(db ?? [:])")
                for agent in [agentA, agentB, agentC] {
                    agent.signal(SIGTERM)
                    let result = await agent.finish()
                    #expect(result.status == 0, "\(result)")
                    #expect(!result.stderr.contains(" error "), "\(result)")
                }
            }
        }
    }
}
