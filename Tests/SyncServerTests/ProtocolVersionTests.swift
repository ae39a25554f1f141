import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

/// Protocol versions, both ways, with raw connections written from docs/PROTOCOL.md: a client whose hello says
/// version 1 never gets an event kind or a field version 1 did not have; a version-2 client gets everything, and
/// skips event kinds it does not know instead of failing.
@Suite("Protocol versions")
struct ProtocolVersionTests {
    /// `db` started with a note and a readiness report, `web` completed after one.
    private func populate(_ agent: InProcessAgent) async throws {
        let client = try await agent.client()
        _ = try await client.start("db")
        try await client.note("db", "migrating 3/10")
        try await client.reportReadiness(
            "db", checks: ["tcp:127.0.0.1:5432"], attempts: 4, result: "connection refused")
        _ = try await client.start("web")
        try await client.reportReadiness("web", checks: [], attempts: 2, result: nil)
        try await client.complete("web")
        client.close()
    }

    private static let newKinds: Set<String> = ["noted", "readiness"]

    private func unitsHaveNoNewFields(_ units: JSON?, sourceLocation: SourceLocation = #_sourceLocation) {
        let list = units?.arrayValue ?? []
        #expect(list.count == 2, sourceLocation: sourceLocation)
        for unit in list {
            #expect(unit["note"] == nil && unit["readiness"] == nil, "\(unit.compact)", sourceLocation: sourceLocation)
            #expect(unit["status"] != nil, sourceLocation: sourceLocation)
        }
    }

    @Test func aVersionOneClientSeesOnlyVersionOneKindsAndFields() async throws {
        try await withAgent { agent in
            try await populate(agent)
            let raw = try RawConnection(path: agent.directory.socket)
            defer { raw.close() }
            raw.setReadTimeout(30)
            let hello = try #require(try await raw.request(#"{"id":0,"type":"hello","version":1}"#))
            #expect(hello["result"]?["version"] == .int(1))

            unitsHaveNoNewFields(try await raw.request(#"{"id":1,"type":"list"}"#)?["result"]?["units"])
            let status = try #require(try await raw.request(#"{"id":2,"type":"status","unit":"db"}"#))
            #expect(status["result"]?["info"]?["status"] == "started")
            #expect(status["result"]?["info"]?["note"] == nil && status["result"]?["info"]?["readiness"] == nil)
            unitsHaveNoNewFields(try await raw.request(#"{"id":3,"type":"snapshot"}"#)?["result"]?["units"])
            let history = try #require(try await raw.request(#"{"id":4,"type":"history"}"#))
            unitsHaveNoNewFields(history["result"]?["snapshot"]?["units"])
            let kinds = (history["result"]?["events"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }
            #expect(kinds.contains("status_changed"))
            #expect(Set(kinds).isDisjoint(with: Self.newKinds), "\(kinds)")

            // A subscription from the start of the history: the held events, without the new kinds.
            await raw.send(#"{"id":5,"type":"subscribe","since":0}"# + "\n")
            var seen: [String] = []
            while seen.count < kinds.count {
                let frame = try #require(try await raw.readFrame())
                seen.append(try #require(frame["event"]?["kind"]?.stringValue))
            }
            #expect(seen == kinds)
            // And live: a note and a readiness report are not sent, the completion that follows is.
            let client = try await agent.client()
            try await client.note("db", "migrating 4/10")
            try await client.reportReadiness("db", checks: ["tcp:127.0.0.1:5432"], attempts: 9, result: "timed out")
            try await client.complete("db")
            let next = try #require(try await raw.readFrame())
            #expect(next["event"]?["kind"] == "status_changed", "\(next.compact)")
            #expect(next["event"]?["to"] == "completed")
            // A snapshot push is as bare as a snapshot reply.
            await raw.send(#"{"id":6,"type":"subscribe"}"# + "\n")
            let snapshot = try #require(try await raw.readFrame())
            #expect(snapshot["push"] == "snapshot")
            unitsHaveNoNewFields(snapshot["snapshot"]?["units"])
            client.close()
        }
    }

    @Test func aVersionTwoClientSeesEverything() async throws {
        try await withAgent { agent in
            try await populate(agent)
            let raw = try RawConnection(path: agent.directory.socket)
            defer { raw.close() }
            raw.setReadTimeout(30)
            let hello = try #require(try await raw.request(#"{"id":0,"type":"hello","version":2}"#))
            #expect(hello["result"]?["version"] == .int(2))
            let units = try #require(try await raw.request(#"{"id":1,"type":"list"}"#)?["result"]?["units"]?.arrayValue)
            #expect(units.first?["note"] == "migrating 3/10")
            #expect(
                units.first?["readiness"]?.compact.hasPrefix(
                    #"{"checks":["tcp:127.0.0.1:5432"],"attempts":4,"result":"connection refused","started_us":"#)
                    == true)
            #expect(units.last?["readiness"]?["checks"] == .array([]))
            let history = try #require(try await raw.request(#"{"id":2,"type":"history"}"#))
            let kinds = (history["result"]?["events"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }
            #expect(Self.newKinds.isSubset(of: Set(kinds)), "\(kinds)")
            // Requests of version 2 are served on a version-1 connection as well: the client asked for them.
            let old = try RawConnection(path: agent.directory.socket)
            defer { old.close() }
            old.setReadTimeout(30)
            try await old.hello(version: 1)
            let reply = try #require(
                try await old.request(
                    #"{"id":1,"type":"readiness","unit":"db","checks":[],"attempts":5,"result":null}"#))
            #expect(reply["ok"] == .bool(true), "\(reply.compact)")
        }
    }

    @Test func aVersionTheAgentDoesNotSpeakIsRefused() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.directory.socket)
            defer { raw.close() }
            raw.setReadTimeout(30)
            let reply = try #require(try await raw.request(#"{"id":0,"type":"hello","version":4}"#))
            #expect(reply.errorCode == "unsupported_version")
            #expect(reply.errorMessage.contains("speaks 1, 2, 3"))
        }
    }

    /// A newer agent's event kind reaches a version-2 client: it is skipped, and the stream goes on with the
    /// events after it.
    @Test func aClientSkipsAnEventKindItDoesNotKnowAndKeepsFollowing() async throws {
        let agent = try ScriptedAgent { id, request in
            guard request["type"] == "subscribe" else { return [] }
            let snapshot = ServerMessage.push(
                id, .snapshot(instance: "s", GraphSnapshot(sequence: 0, units: [], edges: [])))
            return [
                snapshot.json.compact,
                #"{"id":\#(id),"push":"event","event":{"seq":1,"time_us":1,"kind":"teleported","unit":"a","#
                    + #""to":"mars"}}"#,
                #"{"id":\#(id),"push":"event","event":{"seq":2,"time_us":2,"kind":"registered","unit":"a"}}"#,
                #"{"id":\#(id),"ok":false,"error":{"code":"shutting_down","message":"the agent is shutting down"}}"#,
            ]
        }
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        var items: [StreamItem] = []
        do {
            for try await item in client.subscribe() { items.append(item) }
            Issue.record("expected the stream to end with shutting_down")
        } catch let error as WireError {
            #expect(error.code == .shuttingDown)
        }
        #expect(items.count == 2)
        #expect(
            items.last == .event(SyncEvent(sequence: 2, time: Timestamp(microseconds: 2), kind: .registered(unit: "a")))
        )
        #expect(agent.requests.first?["version"] == .int(ProtocolVersion.current))
    }

    /// An agent from before version 2 (it speaks only 1) refuses a hello of version 2: the client connects again
    /// speaking version 1 instead of failing.
    @Test func aClientFallsBackToVersionOneForAnOlderAgent() async throws {
        let agent = try ScriptedAgent(answersHello: false) { id, request in
            guard request["type"] == "hello" else { return [#"{"id":\#(id),"ok":true,"result":{}}"#] }
            guard request["version"] == .int(1) else {
                return [
                    #"{"id":\#(id),"ok":false,"error":{"code":"unsupported_version","message":"protocol version 2 "#
                        + #"is not supported; this agent (sync-agent 0.1.0) speaks 1. Use a matching syncctl"}}"#
                ]
            }
            return [ScriptedAgent.hello(id)]
        }
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        try await client.ping()
        #expect(client.connection.hello?.version == 1)
        #expect(
            agent.requests.compactMap { $0["type"] == "hello" ? $0["version"] : nil } == [.int(3), .int(2), .int(1)])
    }

    /// An agent of protocol version 2 refuses a hello of version 3: the client says hello again in version 2 (not
    /// straight down to 1), keeping what version 2 has.
    @Test func aClientFallsBackOneVersionAtATime() async throws {
        let agent = try ScriptedAgent(answersHello: false) { id, request in
            guard request["type"] == "hello" else { return [#"{"id":\#(id),"ok":true,"result":{}}"#] }
            guard request["version"] == .int(1) || request["version"] == .int(2) else {
                return [
                    #"{"id":\#(id),"ok":false,"error":{"code":"unsupported_version","message":"protocol version 3 "#
                        + #"is not supported; this agent (sync-agent 0.1.0) speaks 1, 2. Use a matching syncctl"}}"#
                ]
            }
            let hello = HelloInfo(
                version: request["version"]?.int64Value ?? 0, agentVersion: "0.1.0", pid: 1, maxFrameBytes: 1 << 20,
                instance: "v2")
            return [ServerMessage.ok(id, .hello(hello)).json.compact]
        }
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        #expect(client.connection.version == 2)
        #expect(agent.requests.compactMap { $0["type"] == "hello" ? $0["version"] : nil } == [.int(3), .int(2)])
        #expect(agent.requests.first?["client_version"] == .string(ProtocolVersion.productVersion))
    }

    /// A real agent limited to versions 1 and 2 (as an agent from before version 3): clients get version 2, and a
    /// subscription of version 2 never gets what version 3 added.
    @Test func anAgentOfVersionTwoServesTheClientInVersionTwo() async throws {
        let agent = try await InProcessAgent.start(configure: { $0.protocolVersions = [1, 2] })
        let client = try await agent.client()
        #expect(client.connection.version == 2)
        try await client.want("app", dependsOn: ["db"])
        client.close()
        await agent.stop()
    }
}

/// A client newer than its agent: it says hello as the agent understands, and a request the agent lacks fails
/// before it is sent, naming both versions (the built `syncctl`: `VersionProcessTests`).
@Suite("A client newer than its agent")
struct NewerClientTests {
    @Test func helloCarriesTheClientVersionAndTheAgentLogsIt() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.directory.socket)
            defer { raw.close() }
            raw.setReadTimeout(30)
            let reply = try #require(
                try await raw.request(#"{"id":0,"type":"hello","version":2,"client":"x","client_version":"9.9"}"#))
            #expect(reply["ok"] == .bool(true), "\(reply.compact)")
            #expect(reply["result"]?["socket"] == .string(agent.directory.socket))
            let long = String(repeating: "v", count: 256)
            let refused = try #require(
                try await raw.request(#"{"id":1,"type":"hello","version":2,"client_version":"\#(long)"}"#))
            #expect(refused.errorCode == "limit_exceeded")
            #expect(refused.errorMessage == "client version is 256 bytes long; at most 255 are allowed")
        }
    }

    @Test func theClientSaysHelloAsAnOldAgentUnderstands() async throws {
        let agent = try ScriptedAgent.versionOne()
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "test")
        defer { client.close() }
        try await client.ping()
        let hellos = agent.requests.filter { $0["type"] == "hello" }
        #expect(hellos.map { $0["version"] } == [.int(3), .int(3), .int(2), .int(1)])
        #expect(hellos.map { $0["client_version"] } == [.string(ProtocolVersion.productVersion), nil, nil, nil])
        #expect(client.connection.version == 1)
    }

    @Test(arguments: ["note", "readiness"])
    func aRequestTheOldAgentLacksFailsNamingBothVersions(type: String) async throws {
        let agent = try ScriptedAgent.versionOne()
        defer { agent.stop() }
        let client = try await SyncClient.connect(to: agent.socketPath, client: "syncctl")
        defer { client.close() }
        do {
            if type == "note" {
                _ = try await client.note("web", "migrating")
            } else {
                try await client.reportReadiness("web", checks: [], attempts: 1, result: nil)
            }
            Issue.record("the request succeeded")
        } catch let error as WireError {
            #expect(error.code == .unsupportedVersion)
            #expect(
                error.message
                    == "syncctl \(ProtocolVersion.productVersion) needs protocol 2 for \"\(type)\"; the agent at "
                    + "\(agent.socketPath.path) (sync-agent \(ScriptedAgent.oldAgentVersion), pid "
                    + "\(ScriptedAgent.oldAgentPID)) speaks only protocol 1: restart it with sync-agent "
                    + "\(ProtocolVersion.productVersion)")
        }
        // Never sent: the agent would have answered a confusing unknown_type.
        #expect(!agent.requests.contains { $0["type"] == .string(type) })
    }
}
