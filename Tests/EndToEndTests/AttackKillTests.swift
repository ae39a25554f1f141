import Foundation
import SyncTestSupport
import Testing

/// Attacks on "nothing acknowledged is lost" with SIGKILL at seeded random moments: an agent with `--retention 1`
/// (a snapshot and a deletion every few changes) killed while a client's requests are in flight, and an agent killed
/// while it may be between its `append_if_head` and its answer, beside another agent whose client waits for the same
/// unit. The kill points are counted in acknowledgements, never in time; the seed is in every failure's message
/// (`ATTACK_SEED=N` repeats a schedule).
extension AttackSuites {
    @Suite("Attack: SIGKILL at random moments on a shared store", .timeLimit(.minutes(6)))
    struct AttackKillTests {
        /// A small seeded generator (SplitMix64), so that a failing schedule can be repeated.
        struct Seeded: RandomNumberGenerator {
            var state: UInt64
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }

        static var seed: UInt64 {
            ProcessInfo.processInfo.environment["ATTACK_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...999_999)
        }

        /// What the client believes of one unit: its status and its note.
        struct UnitState: Equatable, CustomStringConvertible {
            var status: String
            var note: String?
            var description: String { "\(status)\(note.map { " (\($0))" } ?? "")" }
        }

        enum Operation {
            case start(String)
            case complete(String)
            case note(String, String)

            func frame(_ id: Int) -> String {
                switch self {
                case .start(let unit): return #"{"id":\#(id),"type":"start","unit":"\#(unit)","wait":false}"#
                case .complete(let unit): return #"{"id":\#(id),"type":"complete","unit":"\#(unit)"}"#
                case .note(let unit, let text):
                    return #"{"id":\#(id),"type":"note","unit":"\#(unit)","text":"\#(text)"}"#
                }
            }

            func apply(to graph: inout [String: UnitState]) {
                switch self {
                case .start(let unit): graph[unit, default: UnitState(status: "pending")].status = "started"
                case .complete(let unit): graph[unit]?.status = "completed"
                case .note(let unit, let text): graph[unit]?.note = text
                }
            }
        }

        /// The units as the agent at `socket` reports them (a version-3 `snapshot`).
        static func graph(_ socket: String) async throws -> [String: UnitState] {
            let wire = try WireClient(path: socket)
            defer { wire.close() }
            _ = try await wire.exchange(#"{"id":0,"type":"hello","version":3}"#)
            let reply = try await wire.ask(#"{"id":1,"type":"snapshot"}"#)
            var graph: [String: UnitState] = [:]
            for unit in reply[object: "result"]?[array: "units"] as? [[String: Any]] ?? [] {
                graph[unit[string: "unit"] ?? "?"] = UnitState(
                    status: unit[string: "status"] ?? "?", note: unit[string: "note"])
            }
            return graph
        }

        @Test func everyAcknowledgedChangeSurvivesSIGKILLWithATinyRetention() async throws {
            let seed = Self.seed
            var random = Seeded(state: seed)
            let units = ["u0", "u1", "u2", "u3"]
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            try await PostgresServer().run { server in
                await server.waitUntilAcceptingConnections()
                let url = "postgres:///postgres?host=\(server.socketDirectory)&user=\(server.user)"
                var known: [String: UnitState] = [:]
                var sent = 0
                for round in 1...20 {
                    let agent = try await AttackSupport.agent(directory.socket, store: url, ["--retention", "1"])
                    #expect(
                        !agent.hasEnded, "seed \(seed), round \(round): the agent did not start: \(agent.outputSoFar)")
                    if agent.hasEnded { return }
                    let found = try await Self.graph(directory.socket)
                    #expect(
                        found == known,
                        "seed \(seed), round \(round): after the kill, expected \(known), found \(found)")
                    known = found
                    // Acknowledged requests, then a burst sent without waiting, then SIGKILL.
                    let wire = try WireClient(path: directory.socket)
                    _ = try await wire.exchange(#"{"id":0,"type":"hello","version":3}"#)
                    func next(_ graph: [String: UnitState]) -> Operation {
                        let unit = units.randomElement(using: &random)!
                        switch graph[unit]?.status {
                        case nil, "completed": return .start(unit)
                        default:
                            sent += 1
                            return Bool.random(using: &random) ? .complete(unit) : .note(unit, "n\(sent)")
                        }
                    }
                    for _ in 0..<Int.random(in: 0...40, using: &random) {
                        let operation = next(known)
                        let reply = try await wire.ask(operation.frame(1))
                        #expect(
                            reply[bool: "ok"] == true, "seed \(seed), round \(round): \(operation.frame(1)) -> \(reply)"
                        )
                        operation.apply(to: &known)
                    }
                    var possible = [known]
                    for id in 1...Int.random(in: 1...8, using: &random) {
                        let operation = next(possible.last!)
                        await wire.send(operation.frame(id))
                        var after = possible.last!
                        operation.apply(to: &after)
                        possible.append(after)
                    }
                    agent.signal(SIGKILL)
                    _ = await agent.finish()
                    wire.close()
                    // Whatever the agent acknowledged before it died (read on its replies, which may have been sent).
                    let restarted = try await AttackSupport.agent(directory.socket, store: url, ["--retention", "1"])
                    let after = try await Self.graph(directory.socket)
                    let allowed = "the states the requests in flight allow: \(possible)"
                    #expect(possible.contains(after), "seed \(seed), round \(round): \(after) is none of \(allowed)")
                    known = after
                    restarted.signal(SIGTERM)
                    let stopped = await restarted.finish()
                    #expect(stopped.status == 0, "seed \(seed), round \(round): \(stopped)")
                }
                // The table stays bounded by the retention all along.
                let rows = try await server.psql(["-tAc", "select count(*) from sync_agent.events"])
                let snapshot = try await server.psql(["-tAc", "select seq from sync_agent.snapshots"])
                print("AttackKillTests: seed \(seed): \(sent) notes and completions, snapshot at \(snapshot.stdout)")
                #expect((Int(rows.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 999) <= 40, "\(rows)")
            }
        }

        /// `body`, whose failure names `what`.
        static func within<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
            do { return try await body() } catch { throw WireClient.Closed(description: "\(what): \(error)") }
        }

        /// Agents A and B each hold a parked `start` of one unit; agent C completes its dependency, and B is killed at a
        /// seeded moment: before, during or after its `append_if_head` and its answer. A's start must be answered
        /// (started, or `same_status` when B won), never left waiting, and the store must hold exactly one start of the
        /// unit, by the agent whose client was told it won.
        @Test func anAgentKilledAroundItsConditionalAppendLeavesNoWaiterHanging() async throws {
            let seed = Self.seed
            var random = Seeded(state: seed)
            try await PostgresServer().run { server in
                await server.waitUntilAcceptingConnections()
                let cluster = try await SharedCluster(3, server: server)
                var winsOfA = 0
                defer { print("AttackKillTests: seed \(seed): A won \(winsOfA) of 10 rounds, B (killed) the others") }
                for round in 1...10 {
                    let (app, db) = ("app\(round)", "db\(round)")
                    #expect(try await cluster.syncctl(0, "want", app, db).status == 0)
                    #expect(try await cluster.syncctl(2, "start", db).status == 0)
                    var starts: [WireClient] = []
                    for index in [0, 1] {
                        let wire = try WireClient(path: cluster.socket(index))
                        starts.append(wire)
                        _ = try await wire.exchange(#"{"id":0,"type":"hello","version":3}"#)
                        let waiting = try await wire.ask(#"{"id":1,"type":"start","unit":"\#(app)"}"#)
                        #expect(waiting[string: "push"] == "waiting", "seed \(seed), round \(round): \(waiting)")
                    }
                    let completer = try WireClient(path: cluster.socket(2))
                    _ = try await completer.exchange(#"{"id":0,"type":"hello","version":3}"#)
                    await completer.send(#"{"id":1,"type":"complete","unit":"\#(db)"}"#)
                    switch Int.random(in: 0...2, using: &random) {
                    case 0: break  // at once: B may not even have heard of the completion
                    case 1:  // once C acknowledged the completion
                        _ = try await Self.within("seed \(seed), round \(round): C's complete") {
                            try await completer.line()
                        }
                    default: for _ in 0..<Int.random(in: 0...20, using: &random) { _ = sched_yield() }
                    }
                    await cluster.kill(1)
                    starts[1].close()
                    let answer = try await Self.within("seed \(seed), round \(round): A's start") {
                        try await starts[0].object()
                    }
                    let code = answer[object: "error"]?[string: "code"]
                    #expect(
                        answer[bool: "ok"] == true || code == "same_status",
                        "seed \(seed), round \(round): A's start got \(answer)")
                    let started = try await cluster.storedEvents().filter {
                        $0["unit"] as? String == app && $0["to"] as? String == "started"
                    }
                    #expect(started.count == 1, "seed \(seed), round \(round): starts of \(app) stored: \(started)")
                    let origins = try await server.psql([
                        "-tAc",
                        "select origin from sync_agent.events where event->>'unit' = '\(app)' and event->>'to' = 'started'",
                    ])
                    let byA = origins.stdout.contains("pid \(cluster.agent(0).pid) ")
                    winsOfA += byA ? 1 : 0
                    #expect(
                        byA == (answer[bool: "ok"] == true),
                        "seed \(seed), round \(round): \(answer), \(origins.stdout)")
                    starts[0].close()
                    completer.close()
                    #expect(try await cluster.start(1), "seed \(seed), round \(round): B did not start again")
                }
                _ = await cluster.stop()
            }
        }
    }
}
