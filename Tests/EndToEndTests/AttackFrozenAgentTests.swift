import Foundation
import SyncTestSupport
import Testing

/// Attack on "only a lost or stopped agent trips them [the 5 s timeouts], and the other agents' changes go on"
/// (docs/MULTI-HOST.md): agent A is frozen with SIGSTOP at a seeded moment while its client streams changes, so
/// now and then in the middle of a change, holding the workspace's lock. Agent B's change must still be made, and
/// once A is thawed each of its answers must be true: every `want` acknowledged is stored, every one refused at
/// once ("cannot store changes") is not.
extension AttackSuites {
    @Suite("Attack: an agent frozen in the middle of its changes", .timeLimit(.minutes(5)))
    struct AttackFrozenAgentTests {
        @Test func anAgentFrozenMidChangeStopsNobodyAndItsAnswersAreTrue() async throws {
            let seed = AttackKillTests.seed
            var random = AttackKillTests.Seeded(state: seed)
            try await PostgresServer().run { server in
                await server.waitUntilAcceptingConnections()
                let cluster = try await SharedCluster(2, server: server)
                var held = 0
                defer { print("AttackFrozenAgentTests: seed \(seed): B waited for A's lock in \(held) of 8 rounds") }
                for round in 1...8 {
                    let writer = try WireClient(path: cluster.socket(0))
                    _ = try await writer.exchange(#"{"id":0,"type":"hello","version":3}"#)
                    var replies: [Int: [String: Any]] = [:]
                    func want(_ id: Int) -> String {
                        #"{"id":\#(id),"type":"want","unit":"r\#(round)-\#(id)","depends_on":["base"]}"#
                    }
                    // A few acknowledged, then two more sent, and A frozen a random while (0-3 ms: a change takes
                    // about 1 ms) after the last one left: before, within or after its change.
                    let count = Int.random(in: 0...5, using: &random) + 2
                    for id in stride(from: 1, through: count - 2, by: 1) {
                        replies[id] = try await writer.ask(want(id))
                    }
                    await writer.send(want(count - 1))
                    await writer.send(want(count))
                    usleep(UInt32.random(in: 0...3_000, using: &random))
                    cluster.agent(0).signal(SIGSTOP)
                    let frozen = Date()
                    let other = try await cluster.syncctl(1, "want", "b\(round)", "base")
                    #expect(other.status == 0, "seed \(seed), round \(round): B's change while A is frozen: \(other)")
                    held += Date().timeIntervalSince(frozen) > 4 ? 1 : 0
                    cluster.agent(0).signal(SIGCONT)
                    while replies.count < count {
                        let reply = try await AttackKillTests.within("seed \(seed), round \(round): A's answers") {
                            try await writer.object()
                        }
                        replies[reply[int: "id"] ?? -1] = reply
                    }
                    writer.close()
                    let stored = Set(
                        try await cluster.storedEvents().compactMap { event -> String? in
                            event["kind"] as? String == "registered" ? event["unit"] as? String : nil
                        })
                    #expect(stored.contains("b\(round)"), "seed \(seed), round \(round)")
                    for (id, reply) in replies.sorted(by: { $0.key < $1.key }) {
                        let unit = "r\(round)-\(id)"
                        let message = reply[object: "error"]?[string: "message"] ?? ""
                        if reply[bool: "ok"] == true {
                            let log = cluster.agent(0).outputSoFar
                            let context = "seed \(seed), round \(round)"
                            #expect(
                                stored.contains(unit), "\(context): \(unit) acknowledged, not stored: \(reply)\n\(log)")
                        } else if message.contains("cannot store changes") {
                            #expect(!stored.contains(unit), "seed \(seed), round \(round): \(unit) refused, stored")
                        } else {
                            #expect(reply[object: "error"]?[string: "code"] == "store_unavailable", "\(reply)")
                        }
                    }
                    // A serves changes again (it reconnects by itself).
                    let again = try await AttackSupport.onceReachable {
                        try await cluster.syncctl(0, "want", "a\(round)", "base")
                    }
                    #expect(again.status == 0, "seed \(seed), round \(round): \(again)")
                    // And A's copy of the graph is the store's: the same units as B's.
                    let copies = try await [0, 1].asyncMap { try await AttackKillTests.graph(cluster.socket($0)) }
                    #expect(
                        Set(copies[0].keys) == Set(copies[1].keys),
                        "seed \(seed), round \(round): A has \(copies[0].keys.sorted()), B \(copies[1].keys.sorted())")
                }
                _ = await cluster.stop()
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
