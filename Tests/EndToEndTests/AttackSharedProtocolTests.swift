import Foundation
import SyncTestSupport
import Testing

/// Attacks on protocol version 3 on a shared PostgreSQL store, from a client written from docs/PROTOCOL.md alone
/// (``WireClient``): every documented field of `hello`, the subscription's snapshot, `event` pushes with their
/// `origin`, the `store` push down and up, the stale mark, and what a version-2 subscriber beside it gets. Exactly the
/// documented keys: one more or one fewer fails.
extension AttackSuites {
    @Suite("Attack: protocol version 3 on a shared store", .timeLimit(.minutes(4)))
    struct AttackSharedProtocolTests {
        private static var hostName: String {
            var name = [CChar](repeating: 0, count: 256)
            gethostname(&name, name.count - 1)
            return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        /// Opens a connection to `socket`, says hello in `version` and subscribes (request 1).
        private static func subscriber(_ socket: String, version: Int, since: Int? = nil) async throws -> (
            WireClient, hello: [String: Any]
        ) {
            let wire = try WireClient(path: socket)
            let hello = try await wire.ask(#"{"id":0,"type":"hello","version":\#(version)}"#)
            await wire.send(#"{"id":1,"type":"subscribe"\#(since.map { ",\"since\":\($0)" } ?? "")}"#)
            return (wire, hello)
        }

        @Test func everyDocumentedFieldOfVersionThreeAndNothingElse() async throws {
            try await SharedGraphTests().withAgents(2) { agents, server in
                let socket = agents.directory.file(SharedGraphTests.Agents.socket(0))
                let origin = (0..<2).map { "sync-agent pid \(agents.processes[$0].pid) on \(Self.hostName)" }
                #expect(try await agents.syncctl(1, "want", "app", "db").status == 0)

                let (current, hello) = try await Self.subscriber(socket, version: 3)
                defer { current.close() }
                let result = try #require(hello[object: "result"])
                #expect(result.keySet == AttackProtocolTests.helloFields.union(["store", "workspace"]), "\(result)")
                let store = try #require(result[string: "store"])
                #expect(store == "postgres://\(server.user)@/postgres?host=\(server.socketDirectory)&port=5432")
                #expect(result[string: "workspace"] == "shared")
                let (older, _) = try await Self.subscriber(socket, version: 2)
                defer { older.close() }

                // The subscription's snapshot: its units carry changed_by for version 3 only.
                let snapshotPush = try await current.object()
                #expect(snapshotPush.keySet == ["id", "push", "instance", "snapshot"], "\(snapshotPush)")
                let snapshot = try #require(snapshotPush[object: "snapshot"])
                #expect(snapshot.keySet == ["sequence", "units", "edges"], "\(snapshot)")
                let units = try #require(snapshot[array: "units"] as? [[String: Any]])
                #expect(units.map { $0[string: "unit"] } == ["app"] as [String?])
                for unit in units {
                    #expect(unit.keySet == Self.infoFieldsWithOrigin, "\(unit)")
                    #expect(unit[string: "changed_by"] == origin[1], "\(unit)")
                }
                let edges = try #require(snapshot[array: "edges"] as? [[String: Any]])
                #expect(edges.map(\.keySet) == [["unit", "depends_on", "required"]], "\(edges)")
                var last = try #require(snapshot[int: "sequence"])
                let olderSnapshot = try await older.object()
                for unit in olderSnapshot[object: "snapshot"]?[array: "units"] as? [[String: Any]] ?? [] {
                    #expect(unit.keySet == AttackProtocolTests.infoFields, "version 2 got: \(unit)")
                }

                // Reads on version 3: snapshot and history carry changed_by; history's events no origin.
                let reader = try WireClient(path: socket)
                defer { reader.close() }
                _ = try await reader.exchange(#"{"id":0,"type":"hello","version":3}"#)
                let read = try await reader.ask(#"{"id":1,"type":"snapshot"}"#)
                #expect(read[object: "result"]?.keySet == ["sequence", "units", "edges"], "\(read)")
                let history = try await reader.ask(#"{"id":2,"type":"history"}"#)
                let historyResult = try #require(history[object: "result"])
                #expect(historyResult.keySet == ["instance", "snapshot", "events"], "\(historyResult)")
                for event in historyResult[array: "events"] as? [[String: Any]] ?? [] {
                    #expect(!event.keySet.contains("origin"), "a history event with an origin: \(event)")
                }
                for unit in historyResult[object: "snapshot"]?[array: "units"] as? [[String: Any]] ?? [] {
                    #expect(unit[string: "changed_by"] == origin[1], "\(unit)")
                }

                // A change on each agent: version 3 gets each event with the origin of the agent that made it.
                #expect(try await agents.syncctl(1, "start", "db").status == 0)
                #expect(try await agents.syncctl(0, "complete", "db").status == 0)
                // (`want` registers the dependent only: the start registers db first.)
                let expected = [
                    ("registered", nil, origin[1]), ("status_changed", "started", origin[1]),
                    ("status_changed", "completed", origin[0]),
                ]
                for (kind, status, by) in expected {
                    let push = try await current.object()
                    #expect(push.keySet == ["id", "push", "event", "origin"], "\(push)")
                    #expect(push[object: "event"]?[string: "unit"] == "db", "\(push)")
                    #expect(push[object: "event"]?[string: "kind"] == kind, "\(push)")
                    #expect(push[object: "event"]?[string: "to"] == status, "\(push)")
                    #expect(push[string: "origin"] == by, "\(push)")
                    last = push[object: "event"]?[int: "seq"] ?? -1
                    let olderPush = try await older.object()
                    #expect(olderPush.keySet == ["id", "push", "event"], "version 2 got: \(olderPush)")
                }

                // The store goes away: a store push with exactly its documented fields, and the same mark on reads.
                _ = await server.stop()
                let down = try await current.object()
                #expect(down.keySet == ["id", "push", "store", "reachable", "since_us", "reason"], "\(down)")
                #expect(down[string: "push"] == "store" && down[bool: "reachable"] == false, "\(down)")
                #expect(down[int: "id"] == 1 && down[string: "store"] == store, "\(down)")
                let since = try #require(down[int: "since_us"])
                let status = try await reader.ask(#"{"id":3,"type":"status","unit":"db"}"#)
                let stale = try #require(status[object: "result"]?[object: "stale"], "\(status)")
                #expect(stale.keySet == ["store", "since_us"], "\(stale)")
                #expect(stale[string: "store"] == store && stale[int: "since_us"] == since, "\(stale)")

                // Subscriptions opened meanwhile get the push right after their snapshot, or after resuming.
                let (late, _) = try await Self.subscriber(socket, version: 3)
                defer { late.close() }
                #expect(try await late.object()[string: "push"] == "snapshot")
                let lateDown = try await late.object()
                #expect(lateDown[string: "push"] == "store" && lateDown[int: "since_us"] == since, "\(lateDown)")
                let (resumed, _) = try await Self.subscriber(socket, version: 3, since: last)
                defer { resumed.close() }
                let resumedDown = try await resumed.object()
                #expect(
                    resumedDown[string: "push"] == "store" && resumedDown[bool: "reachable"] == false, "\(resumedDown)")

                try server.start()
                await server.waitUntilAcceptingConnections()
                for wire in [current, late, resumed] {
                    let up = try await wire.object()
                    #expect(up.keySet == ["id", "push", "store", "reachable", "since_us"], "\(up)")
                    #expect(up[bool: "reachable"] == true && up[string: "store"] == store, "\(up)")
                    #expect((up[int: "since_us"] ?? 0) >= since, "\(up)")
                }
                let fresh = try await reader.ask(#"{"id":4,"type":"status","unit":"db"}"#)
                #expect(fresh[object: "result"]?[object: "stale"] == nil, "\(fresh)")

                // Version 2 was told nothing of it: its next frame is the next event.
                let failed = try await AttackSupport.onceReachable {
                    try await agents.syncctl(1, "fail", "app", "--reason", "x")
                }
                #expect(failed.status == 0, "\(failed)")
                let next = try await older.object()
                #expect(next[string: "push"] == "event" && next[object: "event"]?[string: "unit"] == "app", "\(next)")
                let afterUp = try await current.object()
                #expect(afterUp[string: "origin"] == origin[1], "\(afterUp)")
            }
        }

        static let infoFieldsWithOrigin = AttackProtocolTests.infoFields.union(["changed_by"])

        /// `status` and `list` carry `changed_by` on a shared store (docs/PROTOCOL.md, `status`), whatever the version;
        /// `snapshot` only from version 3.
        @Test func changedByInStatusAndListForEveryVersion() async throws {
            try await SharedGraphTests().withAgents(1) { agents, _ in
                let socket = agents.directory.file(SharedGraphTests.Agents.socket(0))
                #expect(try await agents.syncctl(0, "want", "app", "db").status == 0)
                for version in [1, 2, 3] {
                    let wire = try WireClient(path: socket)
                    defer { wire.close() }
                    _ = try await wire.exchange(#"{"id":0,"type":"hello","version":\#(version)}"#)
                    let status = try await wire.ask(#"{"id":1,"type":"status","unit":"app"}"#)
                    let info = try #require(status[object: "result"]?[object: "info"], "\(status)")
                    #expect(info.keySet == Self.infoFieldsWithOrigin, "version \(version): \(info)")
                    let list = try await wire.ask(#"{"id":2,"type":"list"}"#)
                    for unit in list[object: "result"]?[array: "units"] as? [[String: Any]] ?? [] {
                        #expect(unit.keySet == Self.infoFieldsWithOrigin, "version \(version): \(unit)")
                    }
                    let snapshot = try await wire.ask(#"{"id":3,"type":"snapshot"}"#)
                    for unit in snapshot[object: "result"]?[array: "units"] as? [[String: Any]] ?? [] {
                        let fields = version >= 3 ? Self.infoFieldsWithOrigin : AttackProtocolTests.infoFields
                        #expect(unit.keySet == fields, "version \(version): \(unit)")
                    }
                }
            }
        }
    }
}

extension AttackSuites.AttackSharedProtocolTests {
    /// `syncctl watch -o json` prints its snapshot and events only, "the same objects the journal stores": the store
    /// going away and
    /// coming back is a note on stderr, never a line of another shape on stdout that a consumer of the stream would
    /// have to tell apart.
    @Test func watchJSONPrintsEventsOnlyThroughAnOutage() async throws {
        try await SharedGraphTests().withAgents(1) { agents, server in
            let environment = [
                "SYNC_AGENT_SOCKET_PATH": agents.directory.file(SharedGraphTests.Agents.socket(0)),
                "SYNC_AGENT_AUTOSTART": "0",
            ]
            #expect(try await agents.syncctl(0, "want", "app", "db").status == 0)
            let watch = try RunningProcess(Products.path("syncctl"), ["watch", "-o", "json"], environment: environment)
            await watch.waitForOutput(containing: #""kind":"snapshot""#)
            _ = await server.stop()
            await watch.waitForOutput(containing: "is unreachable")
            try server.start()
            await server.waitUntilAcceptingConnections()
            let started = try await AttackSupport.onceReachable { try await agents.syncctl(0, "start", "db") }
            #expect(started.status == 0, "\(started)")
            await watch.waitForOutput(containing: #""to":"started""#)
            watch.signal(SIGINT)
            let result = await watch.finish()
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count >= 3, "\(result)")
            // The snapshot it starts from (`"kind":"snapshot"`), then events; nothing about the store.
            for line in lines {
                let object = try WireClient.object(String(line))
                let event = object["seq"] != nil || object[string: "kind"] == "snapshot"
                #expect(event && object["kind"] != nil && object["reachable"] == nil, "on stdout: \(line)")
            }
        }
    }
}
