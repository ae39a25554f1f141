import Foundation
import SyncClient
import SyncOS
import SyncProtocol
import SyncTestSupport
import Testing

/// What a user sees of a shared graph: reads marked stale while PostgreSQL cannot be reached (and coder's outputs
/// unchanged otherwise), which agent changed a unit, and the store and workspace in hello and `syncctl doctor`.
extension SharedGraphTests {
    /// A client of agent `index`, as the test's own program (not syncctl).
    private func client(_ agents: Agents, _ index: Int) async throws -> SyncClient {
        try await SyncClient.connect(
            to: SocketPath(path: agents.directory.file(Agents.socket(index)), source: .flag), client: "surface-test")
    }

    @Test func readsWhileTheStoreIsUnreachableAreMarkedStaleAndNotOtherwise() async throws {
        try await withAgents(2) { agents, server in
            #expect(try await agents.syncctl(0, "want", "app", "db").status == 0)
            let reads: [[String]] = [
                ["list"], ["list", "-o", "json"], ["status", "app"], ["status", "app", "-o", "json"], ["graph"],
            ]
            var before: [RunningProcess.Result] = []
            for read in reads {
                let result = try await agents.run(1, read)
                #expect(result.status == 0 && result.stderr.isEmpty, "\(read): \(result)")
                before.append(result)
            }
            let fresh = try await client(agents, 1)
            _ = try await fresh.list()
            #expect(fresh.connection.lastStaleRead == nil)
            fresh.close()

            let stopped = Date()
            await server.stop()
            // The same reads answer from the agent's copy, stdout byte for byte, with one line on stderr.
            for (read, earlier) in zip(reads, before) {
                let result = try await agents.run(1, read)
                #expect(result.status == 0, "\(read): \(result)")
                #expect(result.stdout == earlier.stdout, "\(read): \(result)")
                #expect(
                    result.stderr.hasPrefix("note: the shared store postgres://\(server.user)@/postgres?host=")
                        && result.stderr.contains("is unreachable since ")
                        && result.stderr.contains("this may be out of date") && result.stderr.hasSuffix("\n")
                        && result.stderr.split(separator: "\n").count == 1, "\(read): \(result)")
            }
            // On the wire: the result's `stale` mark names the store and when the agent found it gone.
            let client = try await client(agents, 1)
            let units = try await client.list()
            #expect(units.map(\.name) == ["app"])
            let mark = try #require(client.connection.lastStaleRead)
            #expect(mark.store == "postgres://\(server.user)@/postgres?host=\(server.socketDirectory)&port=5432")
            let since = Double(mark.since.rawValue) / 1_000_000
            #expect(since >= stopped.timeIntervalSince1970 - 1 && since <= Date().timeIntervalSince1970, "\(mark)")
            _ = try await client.snapshot()
            #expect(client.connection.lastStaleRead == mark)
            _ = try await client.history()
            #expect(client.connection.lastStaleRead == mark)
            client.close()

            try server.start()
            await server.waitUntilAcceptingConnections()
            for process in agents.processes {
                await process.waitForOutput(containing: "changes are accepted again")
            }
            for (read, earlier) in zip(reads, before) {
                let result = try await agents.run(1, read)
                #expect(result.status == 0 && result.stderr.isEmpty, "\(read): \(result)")
                #expect(result.stdout == earlier.stdout, "\(read): \(result)")
            }
        }
    }

    @Test func listAndStatusSayWhichAgentMadeAUnitsLastChange() async throws {
        try await withAgents(2) { agents, server in
            #expect(try await agents.syncctl(0, "want", "app", "db").status == 0)
            #expect(try await agents.syncctl(1, "start", "db").status == 0)
            var name = [CChar](repeating: 0, count: 256)
            gethostname(&name, name.count - 1)
            let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let (first, second) = (agents.processes[0].pid, agents.processes[1].pid)
            for index in 0..<2 {
                let list = try await agents.syncctl(index, "list", "-o", "json")
                let units = try #require(try JSON.parse(list.stdout).arrayValue, "\(list)")
                let origins = Dictionary(
                    uniqueKeysWithValues: units.map {
                        ($0["unit_name"]?.stringValue ?? "", $0["changed_by"]?.stringValue ?? "")
                    })
                #expect(origins["app"] == "sync-agent pid \(first) on \(host)", "\(list)")
                #expect(origins["db"] == "sync-agent pid \(second) on \(host)", "\(list)")
                // coder's table has no room for it: unchanged.
                let table = try await agents.syncctl(index, "list")
                #expect(!table.stdout.contains("sync-agent pid"), "\(table)")
                let status = try await agents.syncctl(index, "status", "db", "-o", "json")
                #expect(status.stdout.contains(#""changed_by": "sync-agent pid \#(second) on"#), "\(status)")
            }
            // An agent started later reads the origins back with the events.
            let late = try RunningProcess(
                Products.path("sync-agent"),
                [
                    "--socket-path", agents.directory.file("late.sock"), "--store",
                    "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)", "--workspace", "shared",
                ])
            await late.waitForOutput(containing: "agent listening")
            let list = try await RunningProcess.run(
                Products.path("syncctl"), ["list", "-o", "json"],
                environment: ["SYNC_AGENT_SOCKET_PATH": agents.directory.file("late.sock")])
            late.signal(SIGTERM)
            #expect(await late.finish().status == 0)
            #expect(list.stdout.contains(#""changed_by": "sync-agent pid \#(second) on \#(host)""#), "\(list)")
        }
    }

    @Test func helloAndDoctorNameTheStoreAndWorkspaceNeverAPassword() async throws {
        try await withAgents(1, workspace: "staging") { agents, server in
            // An agent given a password (the test server trusts its users, so it is never asked for).
            let socket = agents.directory.file("pw.sock")
            let agent = try RunningProcess(
                Products.path("sync-agent"),
                [
                    "--socket-path", socket, "--store",
                    "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)", "--workspace", "staging",
                ], environment: ["PGPASSWORD": "hunter2-secret"])
            await agent.waitForOutput(containing: "agent listening")
            let client = try await SyncClient.connect(to: SocketPath(path: socket, source: .flag), client: "test")
            let hello = try #require(client.connection.hello)
            client.close()
            #expect(hello.store == "postgres://\(server.user)@/postgres?host=\(server.socketDirectory)&port=5432")
            #expect(hello.workspace == "staging")
            let environment = ["SYNC_AGENT_SOCKET_PATH": socket]
            let doctor = try await RunningProcess.run(Products.path("syncctl"), ["doctor"], environment: environment)
            #expect(doctor.stdout.contains("shared store \(hello.store ?? "?"), workspace \"staging\""), "\(doctor)")
            #expect(doctor.stdout.contains("none: the agent keeps its graph in the shared store"), "\(doctor)")
            let json = try await RunningProcess.run(
                Products.path("syncctl"), ["doctor", "-o", "json"], environment: environment)
            #expect(json.stdout.contains(#""workspace": "staging""#), "\(json)")
            let ping = try await RunningProcess.run(Products.path("syncctl"), ["ping"], environment: environment)
            #expect(ping.stdout == "Success\n" && ping.stderr.isEmpty, "\(ping)")
            agent.signal(SIGTERM)
            let stopped = await agent.finish()
            #expect(stopped.status == 0, "\(stopped)")
            for output in [doctor.stdout, doctor.stderr, json.stdout, stopped.stdout, stopped.stderr] {
                #expect(!output.contains("hunter2"), "\(output)")
            }
        }
    }
}
