import Foundation
import SyncTestSupport
import Testing

/// Attack on "an agent behind the retention reloads the workspace by itself" (docs/MULTI-HOST.md, Retention) with a
/// trigger of its own: agent B is frozen (SIGSTOP), not cut off, while agent A with `--retention 1` makes a change
/// too large for its notification to carry, then enough changes for a snapshot to delete what B needs. Thawed, B
/// reads its queued notifications, finds the gap and must reload; its subscribers of versions 1, 2 and 3 (raw
/// clients written from docs/PROTOCOL.md) must each get what the document promises their version, and its parked
/// wait on a unit the big change skipped must fail with `unit_failed`.
extension AttackSuites {
    @Suite("Attack: a frozen agent thawed behind the retention", .timeLimit(.minutes(4)))
    struct AttackReloadTests {
        @Test func aFrozenAgentReloadsAndEachSubscriberVersionGetsWhatItsVersionPromises() async throws {
            try await PostgresServer().run { server in
                await server.waitUntilAcceptingConnections()
                let directory = TemporaryDirectory()
                defer { directory.remove() }
                let url = SharedCluster.socketURL(server)
                let (socketA, socketB) = (directory.file("a.sock"), directory.file("b.sock"))
                let agentA = try await AttackSupport.agent(socketA, store: url, ["--retention", "1"])
                let agentB = try await AttackSupport.agent(socketB, store: url)
                defer { agentB.signal(SIGCONT) }
                let writer = try WireClient(path: socketA)
                defer { writer.close() }
                _ = try await writer.exchange(#"{"id":0,"type":"hello","version":3}"#)
                let dependents = (1...7).map { "d\($0)" }
                for dependent in dependents {
                    #expect(
                        try await writer.ask(#"{"id":1,"type":"want","unit":"\#(dependent)","depends_on":["root"]}"#)[
                            bool: "ok"] == true)
                }
                #expect(try await writer.ask(#"{"id":1,"type":"start","unit":"svc"}"#)[bool: "ok"] == true)

                // On B: a subscriber of each version, and a parked wait on d1.
                var subscribers: [Int: WireClient] = [:]
                var firstSequence: [Int: Int] = [:]
                defer { for wire in subscribers.values { wire.close() } }
                for version in [1, 2, 3] {
                    let wire = try WireClient(path: socketB)
                    subscribers[version] = wire
                    _ = try await wire.exchange(#"{"id":0,"type":"hello","version":\#(version)}"#)
                    let snapshot = try await wire.ask(#"{"id":1,"type":"subscribe"}"#)
                    #expect(snapshot[string: "push"] == "snapshot", "\(snapshot)")
                    firstSequence[version] = snapshot[object: "snapshot"]?[int: "sequence"]
                }
                let waiter = try WireClient(path: socketB)
                defer { waiter.close() }
                _ = try await waiter.exchange(#"{"id":0,"type":"hello","version":3}"#)
                #expect(try await waiter.ask(#"{"id":1,"type":"wait","units":["d1"]}"#)[string: "push"] == "waiting")

                agentB.signal(SIGSTOP)
                // One change whose notification cannot carry its events (8 events repeating a 1,024-byte reason), then
                // more than a snapshot's worth (4 per unit and edge: 60 here) of small ones.
                let reason = String(repeating: "r", count: 1_024)
                let failed = try await writer.ask(#"{"id":2,"type":"fail","unit":"root","reason":"\#(reason)"}"#)
                #expect(failed[object: "result"]?[array: "skipped"]?.count == 7, "\(failed)")
                for step in 1...80 {
                    _ = try await writer.ask(#"{"id":3,"type":"note","unit":"svc","text":"step \#(step)"}"#)
                }
                let stored = try await server.psql(["-tAc", "select min(seq) from sync_agent.events"])
                let oldest = Int(stored.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                #expect(oldest > (firstSequence[3] ?? 0) + 1, "the events B needs are still stored: \(stored)")
                agentB.signal(SIGCONT)
                await agentB.waitForOutput(containing: "shared workspace reloaded; this agent serves changes again")
                #expect(agentB.outputSoFar.contains("fell behind the shared store's retention"))

                let released = try await waiter.object()
                #expect(released[object: "error"]?[string: "code"] == "unit_failed", "\(released)")
                let expected = try #require(try await writer.ask(#"{"id":4,"type":"snapshot"}"#)[object: "result"])
                let head = try #require(expected[int: "sequence"])

                // Version 3: a second snapshot replacing everything, the graph A has (or a later one), then events.
                let v3 = try #require(subscribers[3])
                var frame = try await v3.object()
                while frame[string: "push"] == "event" { frame = try await v3.object() }
                #expect(frame[string: "push"] == "snapshot", "\(frame)")
                let reloaded = try #require(frame[object: "snapshot"])
                #expect((reloaded[int: "sequence"] ?? 0) >= head, "\(reloaded[int: "sequence"] ?? -1) < \(head)")
                let statuses = (reloaded[array: "units"] as? [[String: Any]] ?? []).map {
                    "\($0[string: "unit"] ?? "?")=\($0[string: "status"] ?? "?")"
                }
                #expect(statuses.contains("root=failed") && statuses.contains("d7=skipped"), "\(statuses)")

                // Versions 1 and 2: too_slow with the last event they were sent (none: their snapshot's number), and
                // subscribing again with it gets a snapshot.
                for version in [1, 2] {
                    let wire = try #require(subscribers[version])
                    var last = firstSequence[version] ?? -1
                    var ended = try await wire.object()
                    while ended[string: "push"] == "event" {
                        last = ended[object: "event"]?[int: "seq"] ?? -1
                        ended = try await wire.object()
                    }
                    #expect(ended[object: "error"]?[string: "code"] == "too_slow", "version \(version): \(ended)")
                    #expect(ended[object: "error"]?[int: "since"] == last, "version \(version): \(ended), last \(last)")
                    let again = try await wire.ask(#"{"id":2,"type":"subscribe","since":\#(last)}"#)
                    #expect(again[string: "push"] == "snapshot", "version \(version): \(again)")
                    #expect((again[object: "snapshot"]?[int: "sequence"] ?? 0) >= head, "version \(version): \(again)")
                }
                for agent in [agentA, agentB] {
                    agent.signal(SIGTERM)
                    let result = await agent.finish()
                    #expect(result.status == 0, "\(result)")
                }
            }
        }
    }
}
