import Foundation
import SyncTestSupport
import Testing

/// Attack on "a subscriber that falls behind is dropped rather than allowed to slow the agent" (docs/PROTOCOL.md,
/// `subscribe`) on a shared store: a version-3 subscriber that stops reading while the store goes away and comes
/// back, and while more than 4 MiB of events are written. The agent must go on serving everyone else throughout,
/// and the stuck subscriber, once it reads again, must find its frames in order (the `store` pushes among them), then
/// `too_slow` carrying the sequence number of the last event it was sent, on a connection that still works, and
/// resume from that number without a gap.
extension AttackSuites {
    @Suite("Attack: a stuck subscriber while the shared store goes and comes back", .timeLimit(.minutes(5)))
    struct AttackStuckSubscriberTests {
        /// A readiness report of 16 checks of 200 bytes: an event of about 3.4 kB.
        static func report(id: Int) -> String {
            let check = "\"" + String(repeating: "c", count: 196) + "\(id % 10)..\""
            let checks = Array(repeating: check, count: 16).joined(separator: ",")
            return #"{"id":\#(id),"type":"readiness","unit":"svc","checks":[\#(checks)],"attempts":\#(id)}"#
        }

        /// Sends `count` reports on `writer`, all before reading a reply, then reads every reply.
        static func write(_ count: Int, from first: Int, on writer: WireClient) async throws {
            for id in first..<first + count { await writer.send(report(id: id)) }
            for _ in 0..<count {
                let reply = try await writer.object()
                #expect(reply[bool: "ok"] == true, "\(reply)")
            }
        }

        @Test func aStuckSubscriberIsDroppedAndTheAgentNeverStalls() async throws {
            try await SharedGraphTests().withAgents(1) { agents, server in
                let socket = agents.directory.file(SharedGraphTests.Agents.socket(0))
                #expect(try await agents.syncctl(0, "start", "svc").status == 0)
                let stuck = try WireClient(path: socket)
                defer { stuck.close() }
                _ = try await stuck.exchange(#"{"id":0,"type":"hello","version":3}"#)
                #expect(try await stuck.ask(#"{"id":1,"type":"subscribe"}"#)[string: "push"] == "snapshot")
                // A subscriber that reads, to learn when the store is back.
                let watcher = try WireClient(path: socket)
                defer { watcher.close() }
                _ = try await watcher.exchange(#"{"id":0,"type":"hello","version":3}"#)
                _ = try await watcher.ask(#"{"id":1,"type":"subscribe"}"#)
                let writer = try WireClient(path: socket)
                defer { writer.close() }
                _ = try await writer.exchange(#"{"id":0,"type":"hello","version":3}"#)

                // About 2.5 MB for the stuck subscriber, then the store goes away: the agent still answers.
                try await Self.write(750, from: 1, on: writer)
                _ = await server.stop()
                var frame = try await watcher.object()
                while frame[string: "push"] == "event" { frame = try await watcher.object() }
                #expect(frame[string: "push"] == "store" && frame[bool: "reachable"] == false, "\(frame)")
                #expect(try await writer.ask(#"{"id":1,"type":"ping"}"#)[bool: "ok"] == true)
                let status = try await writer.ask(#"{"id":1,"type":"status","unit":"svc"}"#)
                #expect(status[object: "result"]?[object: "stale"] != nil, "\(status)")
                try server.start()
                await server.waitUntilAcceptingConnections()
                frame = try await watcher.object()
                #expect(frame[string: "push"] == "store" && frame[bool: "reachable"] == true, "\(frame)")

                // About 5 MB more: the stuck subscriber passes 4 MiB and is dropped; everyone else is served.
                try await Self.write(1_500, from: 751, on: writer)
                #expect(try await writer.ask(#"{"id":1,"type":"ping"}"#)[bool: "ok"] == true)
                let head = try #require(
                    try await writer.ask(#"{"id":1,"type":"snapshot"}"#)[object: "result"]?[int: "sequence"])

                // The stuck subscriber reads at last: events in order with the two store pushes among them, then
                // too_slow with the last event's number.
                var last = 0
                var stores: [Bool] = []
                var ended: [String: Any]?
                while ended == nil {
                    let frame = try await stuck.object()
                    switch frame[string: "push"] {
                    case "event":
                        let seq = frame[object: "event"]?[int: "seq"] ?? -1
                        #expect(last == 0 || seq == last + 1, "a gap in the stream: \(last) then \(seq)")
                        last = seq
                    case "store": stores.append(frame[bool: "reachable"] ?? true)
                    default: ended = frame
                    }
                }
                let error = try #require(ended?[object: "error"], "\(ended ?? [:])")
                #expect(error[string: "code"] == "too_slow" && ended?[int: "id"] == 1, "\(ended ?? [:])")
                #expect(
                    error[int: "since"] == last, "too_slow's since is \(error[int: "since"] ?? -1), last event \(last)")
                #expect(stores == [false, true], "store pushes: \(stores)")
                #expect(last < head)
                // The connection goes on, and resuming from since loses nothing.
                #expect(try await stuck.ask(#"{"id":2,"type":"ping"}"#)[bool: "ok"] == true)
                await stuck.send(#"{"id":3,"type":"subscribe","since":\#(last)}"#)
                let resumed = try await stuck.object()
                if resumed[string: "push"] == "event" {
                    #expect(resumed[object: "event"]?[int: "seq"] == last + 1, "\(resumed)")
                } else {
                    #expect(resumed[string: "push"] == "snapshot", "\(resumed)")
                }
            }
        }
    }
}
