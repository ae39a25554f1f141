import Foundation
import SyncTestSupport
import Testing

/// Faults under agents that share one graph through PostgreSQL, with the real binaries and a real server: an agent
/// killed with SIGKILL while clients are parked on it and changes are in flight, a network cut between one agent's
/// host and the database (network namespaces made by the test), and a start-up of 50 units over three agents.
/// The linearizability-style check under faults is in `SharedHistoryTests`.
@Suite("Faults of agents sharing one graph", .serialized, .timeLimit(.minutes(3)))
struct SharedGraphFaultTests {
    /// Runs `body` with `count` agents on a fresh server, stopping them afterwards whatever `body` does.
    static func withCluster(_ count: Int, _ body: (SharedCluster) async throws -> Void) async throws {
        try await PostgresServer().run { server in
            await server.waitUntilAcceptingConnections()
            let cluster = try await SharedCluster(count, server: server)
            var failure: (any Error)?
            do { try await body(cluster) } catch { failure = error }
            for result in await cluster.stop() { #expect(result.status == 0, "\(result)") }
            if let failure { throw failure }
        }
    }

    /// Runs `body` with the database on a host of its own (a network namespace), agents 0 and 1 on its Unix socket
    /// and agent 2 on another host reaching it over TCP through `link`.
    static func withSeparateHosts(_ body: (SharedCluster, NetworkLink) async throws -> Void) async throws {
        let link = try await NetworkLink.make()
        var failure: (any Error)?
        do {
            try await PostgresServer(host: (link.database, link.databaseAddress)).run { server in
                await server.waitUntilAcceptingConnections()
                let local = SharedCluster.socketURL(server)
                let remote = "postgres://\(server.user)@\(link.databaseAddress):\(server.port)/postgres"
                let cluster = try await SharedCluster(
                    [.init(store: local), .init(store: local), .init(store: remote, namespace: link.agent)],
                    server: server)
                do { try await body(cluster, link) } catch { failure = error }
                try? await link.heal()
                for result in await cluster.stop() { #expect(result.status == 0, "\(result)") }
            }
        } catch {
            failure = failure ?? error
        }
        await link.remove()
        if let failure { throw failure }
    }

    /// Seconds since `start`, for the figures a test prints.
    static func seconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        return String(
            format: "%.2f s", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Runs `syncctl` on `agent` until it is acknowledged, while it is refused because the agent has not reached
    /// the store again yet (it retries after 1, 2, then 4 s; nothing tells a client when). - Returns: whether it was.
    static func accepted(_ cluster: SharedCluster, _ agent: Int, _ arguments: String...) async -> Bool {
        await eventually(seconds: 30) {
            guard let result = try? await cluster.run(agent, arguments) else { return false }
            return result.status == 0
        }
    }

    /// Whether agent `index`'s log says `text` within 30 s: bounded, so that an agent that never gets there fails
    /// the test instead of hanging it.
    static func logs(_ cluster: SharedCluster, _ index: Int, _ text: String) async -> Bool {
        await eventually(seconds: 30) { cluster.agent(index).outputSoFar.contains(text) }
    }

    // MARK: An agent killed

    @Test func anAgentKilledWithClientsParkedAndChangesInFlightLosesNothingAcknowledged() async throws {
        try await Self.withCluster(3) { cluster in
            #expect(try await cluster.syncctl(0, "want", "app", "db").status == 0)
            let start = try cluster.spawn(1, ["start", "app", "--timeout", "2m"])
            let wait = try cluster.spawn(1, ["wait", "db", "--timeout", "2m"])
            await start.waitForOutput(containing: "aiting for")
            await wait.waitForOutput(containing: "aiting for")
            // 40 changes in flight on agent 1, each declaring a new unit and its edge; killed once one is answered.
            let changes = try (0..<40).map { try cluster.spawn(1, ["want", "w\($0)", "d\($0)"]) }
            _ = await changes[0].finish()
            let killed = await cluster.kill(1)
            #expect(killed.status == 128 + SIGKILL, "\(killed)")
            var acknowledged: [Int] = []
            for (index, change) in changes.enumerated() {
                if await change.finish().status == 0 { acknowledged.append(index) }
            }
            #expect(acknowledged.contains(0))
            // The parked clients say they lost the agent and keep waiting for it.
            await start.waitForOutput(containing: "reconnecting, still waiting")
            await wait.waitForOutput(containing: "reconnecting, still waiting")
            #expect(!start.hasEnded && !wait.hasEnded)
            let restarted = ContinuousClock.now
            #expect(try await cluster.start(1))
            #expect(try await cluster.syncctl(0, "start", "db").status == 0)
            #expect(try await cluster.syncctl(2, "complete", "db").status == 0)
            let started = await start.finish()
            #expect(started.status == 0, "\(started)")
            #expect(started.stderr.contains("syncctl: lost the agent at"), "\(started)")
            let waited = await wait.finish()
            #expect(waited.status == 0, "\(waited)")
            print("kill -9: parked start released \(Self.seconds(since: restarted)) after the agent's restart began")
            // Nothing acknowledged is lost: in the store and on every agent, the restarted one too. Nothing is
            // half there: a change is all its events or none.
            let events = try await cluster.storedEvents()
            func stored(_ kind: String, _ unit: String, _ dependency: String? = nil) -> Bool {
                events.contains {
                    $0["kind"] as? String == kind && $0["unit"] as? String == unit
                        && (dependency == nil || $0["depends_on"] as? String == dependency)
                }
            }
            for index in acknowledged {
                #expect(stored("dependency_added", "w\(index)", "d\(index)"), "acknowledged w\(index) lost")
            }
            for index in changes.indices {
                let parts = [stored("registered", "w\(index)"), stored("dependency_added", "w\(index)", "d\(index)")]
                #expect(Set(parts).count == 1, "w\(index) is half stored: \(parts)")
            }
            for agent in 0..<3 {
                let list = try await cluster.syncctl(agent, "list", "-o", "json")
                for index in acknowledged {
                    #expect(list.stdout.contains("\"w\(index)\""), "agent \(agent) lacks w\(index)")
                }
            }
            #expect(OperationHistory.startsBeforeDependencies(in: events).isEmpty)
        }
    }

    // MARK: A network cut

    @Test(.enabled(if: NetworkLink.isPossible, "needs root, ip and nsenter for network namespaces"))
    func aNetworkCutDuringAStartUpRefusesChangesOnTheCutHostThenHealsInOrder() async throws {
        try await Self.withSeparateHosts { cluster, link in
            let remote = 2
            #expect(try await cluster.syncctl(0, "want", "api", "db").status == 0)
            #expect(try await cluster.syncctl(remote, "want", "app", "api").status == 0)
            let start = try cluster.spawn(remote, ["start", "app", "--timeout", "2m"])
            let wait = try cluster.spawn(remote, ["wait", "api", "--timeout", "2m"])
            await start.waitForOutput(containing: "aiting for")
            await wait.waitForOutput(containing: "aiting for")
            #expect(try await cluster.syncctl(0, "start", "db").status == 0)
            // A read on the remote host catches it up (a read there right after the cut could answer from a copy
            // that had not yet heard of the start: notifications are asynchronous).
            #expect(try await cluster.syncctl(remote, "status", "db").stdout.contains("started"))
            try await link.cut()
            // A change on the cut host is refused, not acknowledged (the first one waits for the store until its
            // 10 s limit; the next ones are refused at once).
            let cut = ContinuousClock.now
            let first = try await cluster.syncctl(remote, "want", "cut-off", "db")
            let firstTook = Self.seconds(since: cut)
            #expect(first.status == 1, "\(first)")
            #expect(first.stderr.contains("cannot be reached") || first.stderr.contains("not acknowledged"), "\(first)")
            let again = ContinuousClock.now
            let second = try await cluster.syncctl(remote, "start", "app2")
            let secondTook = Self.seconds(since: again)
            #expect(second.status == 1, "\(second)")
            #expect(second.stderr.contains("cannot be reached"), "\(second)")
            // Reads are answered from the agent's copy.
            let status = try await cluster.syncctl(remote, "status", "db")
            #expect(status.status == 0, "\(status)")
            #expect(status.stdout.contains("started"), "\(status)")
            // The start-up goes on elsewhere; the cut host's waiters keep waiting.
            #expect(try await cluster.syncctl(0, "complete", "db").status == 0)
            #expect(try await cluster.syncctl(1, "start", "api").status == 0)
            #expect(try await cluster.syncctl(1, "complete", "api").status == 0)
            #expect(!start.hasEnded && !wait.hasEnded)
            let healed = ContinuousClock.now
            try await link.heal()
            #expect(await Self.logs(cluster, remote, "changes are accepted again"))
            let accepting = Self.seconds(since: healed)
            let waited = await wait.finish()
            #expect(waited.status == 0, "\(waited)")
            let started = await start.finish()
            #expect(started.status == 0, "\(started)")
            print(
                "network cut: first change refused after \(firstTook), next one after \(secondTook); changes "
                    + "accepted again \(accepting) and parked start released \(Self.seconds(since: healed)) after the heal"
            )
            #expect(try await cluster.syncctl(remote, "complete", "app").status == 0)
            let events = try await cluster.storedEvents()
            #expect(!events.contains { $0["unit"] as? String == "cut-off" }, "a refused change was stored")
            #expect(OperationHistory.startsBeforeDependencies(in: events).isEmpty)
            let order = events.compactMap { event -> String? in
                guard event["kind"] as? String == "status_changed" else { return nil }
                return "\(event["unit"] ?? "") \(event["to"] ?? "")"
            }
            #expect(
                order == [
                    "db started", "db completed", "api started", "api completed", "app started", "app completed",
                ], "\(order)")
        }
    }

    /// The database's host restarts PostgreSQL and forgets the agent's connection while the link is cut: after the
    /// heal the agent's connection is half-open (nothing tells it the other end is gone). TCP keepalive on the
    /// agent's connection finds that out, so the agent reconnects and its parked waiters are woken by what the other
    /// agents do; without it they waited forever.
    @Test(.enabled(if: NetworkLink.isPossible, "needs root, ip and nsenter for network namespaces"))
    func aConnectionLeftHalfOpenByACutIsNoticedAndItsWaitersWoken() async throws {
        try await Self.withSeparateHosts { cluster, link in
            let remote = 2
            #expect(try await cluster.syncctl(0, "want", "app", "db").status == 0)
            let wait = try cluster.spawn(remote, ["wait", "db", "--timeout", "90s"])
            await wait.waitForOutput(containing: "aiting for")
            try await link.cut()
            await cluster.server.stop()
            try cluster.server.start()
            await cluster.server.waitUntilAcceptingConnections()
            try await link.forgetAgentConnections()
            try await link.heal()
            let healed = ContinuousClock.now
            // The other agents may still be waiting to retry the restarted server.
            #expect(await Self.accepted(cluster, 0, "start", "db"))
            #expect(await Self.accepted(cluster, 1, "complete", "db"))
            let waited = await wait.finish()
            #expect(waited.status == 0, "\(waited)")
            print("half-open connection: waiter woken \(Self.seconds(since: healed)) after the heal")
        }
    }

    /// An agent cut off inside a change holds the workspace's lock on the server; the server ends that session
    /// after `idle_in_transaction_session_timeout` (which the agent sets), so the other agents' changes go on.
    @Test(.enabled(if: NetworkLink.isPossible, "needs root, ip and nsenter for network namespaces"))
    func anAgentCutOffInsideAChangeDoesNotHoldTheWorkspaceLock() async throws {
        try await Self.withSeparateHosts { cluster, link in
            let remote = 2
            #expect(try await cluster.syncctl(0, "want", "app", "db").status == 0)
            let id = try await cluster.server.psql([
                "-tAc", "select id from sync_agent.workspaces where name = '\(cluster.workspace)'",
            ]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            // Another session holds the lock, so the remote agent's next change waits for it inside its
            // transaction.
            let holder = try RunningProcess(
                cluster.server.binaries + "/psql",
                ["-h", cluster.server.socketDirectory, "-U", cluster.server.user, "-d", "postgres", "-X"],
                stdin: "BEGIN;\nSELECT pg_advisory_xact_lock(1398361667, \(id));\nSELECT pg_sleep(600);\n")
            defer { holder.signal(SIGKILL) }
            func waiting(_ condition: String) async -> Bool {
                await eventually {
                    let rows = try? await cluster.server.psql([
                        "-tAc",
                        "select count(*) from pg_stat_activity where client_addr = '\(link.agentAddress)' and "
                            + condition,
                    ])
                    return rows?.stdout == "1\n"
                }
            }
            let held = await eventually {
                let rows = try? await cluster.server.psql([
                    "-tAc", "select count(*) from pg_locks where locktype = 'advisory' and granted",
                ])
                return rows?.stdout == "1\n"
            }
            #expect(held)
            let change = try cluster.spawn(remote, ["want", "x", "y"])
            #expect(await waiting("wait_event_type = 'Lock'"))
            try await link.cut()
            _ = try await cluster.server.psql([
                "-tAc",
                "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(600)%' "
                    + "and pid <> pg_backend_pid()",
            ])
            // The remote agent's session now holds the lock, idle in its transaction, its answer lost in the cut.
            let released = ContinuousClock.now
            let other = try await cluster.syncctl(0, "want", "p", "q")
            #expect(other.status == 0, "\(other)")
            print("lock of a cut-off agent: another agent's change went through \(Self.seconds(since: released)) later")
            let refused = await change.finish()
            #expect(refused.status == 1, "\(refused)")
            try await link.heal()
            // Before the server ended idle transactions, the lock stayed held and this never came.
            #expect(await Self.logs(cluster, remote, "changes are accepted again"))
            let events = try await cluster.storedEvents()
            #expect(!events.contains { $0["unit"] as? String == "x" }, "the cut-off change was stored")
            #expect(try await cluster.syncctl(remote, "want", "x", "y").status == 0)
            #expect(try await cluster.syncctl(1, "status", "x").stdout.contains("y"))
        }
    }

    // MARK: A start-up over three hosts

    /// 50 units in layers, each run by `syncctl run` on the agent of "its host" (unit i on agent i % 3) with
    /// `--after` on units of the layer before, which other agents declared: each starts only after its
    /// dependencies completed, wherever they were declared.
    @Test func fiftyUnitsRunOnThreeAgentsStartInDependencyOrder() async throws {
        try await Self.withCluster(3) { cluster in
            let units = 50
            func dependencies(_ unit: Int) -> [Int] {
                unit < 5
                    ? []
                    : [unit - 5, (unit * 7) % (unit - unit % 5)].sorted().reduce(into: []) {
                        if !$0.contains($1) { $0.append($1) }
                    }
            }
            // Started in reverse, so that most wait for dependencies not declared yet on their own agent.
            var runs: [(Int, RunningProcess)] = []
            for unit in (0..<units).reversed() {
                let after = dependencies(unit).flatMap { ["--after", "u\($0)"] }
                runs.append(
                    (
                        unit,
                        try cluster.spawn(
                            unit % 3,
                            ["run", "u\(unit)"] + after + ["--timeout", "2m", "--", "/bin/echo", "ran u\(unit)"])
                    ))
            }
            for (unit, run) in runs {
                let result = await run.finish()
                #expect(result.status == 0, "u\(unit): \(result)")
                #expect(result.stdout == "ran u\(unit)\n", "u\(unit): \(result)")
            }
            let events = try await cluster.storedEvents()
            #expect(OperationHistory.startsBeforeDependencies(in: events).isEmpty)
            var started: [String: Int] = [:]
            var completed: [String: Int] = [:]
            for event in events where event["kind"] as? String == "status_changed" {
                guard let unit = event["unit"] as? String, let sequence = event["seq"] as? Int else { continue }
                if event["to"] as? String == "started" { started[unit] = sequence }
                if event["to"] as? String == "completed" { completed[unit] = sequence }
            }
            for unit in 0..<units {
                let begun = try #require(started["u\(unit)"], "u\(unit) never started")
                for dependency in dependencies(unit) {
                    let done = try #require(completed["u\(dependency)"], "u\(dependency) never completed")
                    #expect(done < begun, "u\(unit) started at \(begun) before u\(dependency) completed at \(done)")
                }
            }
            // Every agent shows the whole start-up completed.
            for agent in 0..<3 {
                let list = try await cluster.syncctl(agent, "list", "-o", "json")
                #expect(list.stdout.components(separatedBy: "\"completed\"").count - 1 >= units, "\(list)")
            }
        }
    }
}
