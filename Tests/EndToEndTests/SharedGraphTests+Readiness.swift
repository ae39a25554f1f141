import Foundation
import SyncTestSupport
import Testing

/// A service that becomes ready while the shared store cannot be reached: `syncctl run` cannot have its
/// completion stored then, and its dependents wait for nothing else.
extension SharedGraphTests {
    /// run asks again while the command runs, and says ready only once the agent took the completion (it said
    /// ready, gave up, and left the unit started).
    @Test func runCompletesAServiceThatBecameReadyWhileTheStoreWasAway() async throws {
        try await withAgents(1) { agents, server in
            let socket = agents.directory.file(Agents.socket(0))
            let flag = agents.directory.file("flag")
            let run = try RunningProcess(
                Products.path("syncctl"),
                ["run", "db", "--ready", "file:\(flag)", "--ready-timeout", "60s", "--", "sleep", "600"],
                environment: ["SYNC_AGENT_SOCKET_PATH": socket, "SYNC_AGENT_AUTOSTART": "0"],
                newProcessGroup: true)
            defer { run.signalGroup(SIGKILL) }
            await run.waitForOutput(containing: "waiting until ready")
            // A subscriber, to know when the agent finds the store away.
            let watcher = try RawConnection(path: socket)
            defer { watcher.close() }
            await watcher.send(#"{"id":0,"type":"hello","version":3}"# + "\n" + #"{"id":1,"type":"subscribe"}"# + "\n")
            #expect(try await watcher.readFrame()?["ok"] == .bool(true))
            #expect(try await watcher.readFrame()?["push"] == "snapshot")

            await server.stop()
            // The stream also carries run's readiness reports (events); the store's state comes between them.
            var away = try #require(try await watcher.readFrame())
            while away["push"] == "event" { away = try #require(try await watcher.readFrame()) }
            #expect(away["push"] == "store" && away["reachable"] == .bool(false), "\(away.compact)")
            FileManager.default.createFile(atPath: flag, contents: nil)
            await run.waitForOutput(containing: #"cannot complete "db" yet"#)
            #expect(!run.outputSoFar.contains("ready after"), "\(run.outputSoFar)")

            try server.start()
            await server.waitUntilAcceptingConnections()
            await run.waitForOutput(containing: #"Unit "db" ready after"#)
            let status = try await agents.syncctl(0, "status", "db", "-o", "json")
            #expect(status.stdout.contains(#""status": "completed""#), "\(status)")
            run.signalGroup(SIGTERM)
            let result = await run.finish()
            #expect(result.stderr.contains("asking again while the command runs"), "\(result)")
        }
    }

    /// A command that exits while its completion is still refused ends run with a failure, not with its own 0:
    /// the unit was never completed.
    @Test func runFailsWhenTheCommandEndsBeforeTheAgentCouldStoreItsCompletion() async throws {
        try await withAgents(1) { agents, server in
            let socket = agents.directory.file(Agents.socket(0))
            let flag = agents.directory.file("flag")
            let stop = agents.directory.file("stop")
            // The service becomes ready, then exits 0 once told to.
            let script = "while [ ! -e '\(stop)' ]; do sleep 0.05; done"
            let run = try RunningProcess(
                Products.path("syncctl"),
                ["run", "db", "--ready", "file:\(flag)", "--ready-timeout", "60s", "--", "sh", "-c", script],
                environment: ["SYNC_AGENT_SOCKET_PATH": socket, "SYNC_AGENT_AUTOSTART": "0"],
                newProcessGroup: true)
            defer { run.signalGroup(SIGKILL) }
            await run.waitForOutput(containing: "waiting until ready")
            await server.stop()
            FileManager.default.createFile(atPath: flag, contents: nil)
            await run.waitForOutput(containing: #"cannot complete "db" yet"#)
            FileManager.default.createFile(atPath: stop, contents: nil)
            let result = await run.finish()
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains(#"syncctl: cannot complete "db": "#), "\(result)")
            #expect(!result.stderr.contains("ready after"), "\(result)")
        }
    }

    /// The same from outside the service: `syncctl ready --when` asks again until its timeout, and exits 0 once
    /// the unit is completed.
    @Test func readyCompletesAUnitWhoseCheckPassedWhileTheStoreWasAway() async throws {
        try await withAgents(1) { agents, server in
            let socket = agents.directory.file(Agents.socket(0))
            let flag = agents.directory.file("flag")
            let ready = try RunningProcess(
                Products.path("syncctl"), ["ready", "db", "--when", "file:\(flag)", "--timeout", "120s"],
                environment: ["SYNC_AGENT_SOCKET_PATH": socket, "SYNC_AGENT_AUTOSTART": "0"])
            defer { ready.signal(SIGKILL) }
            await ready.waitForOutput(containing: "waiting until ready")
            await server.stop()
            FileManager.default.createFile(atPath: flag, contents: nil)
            await ready.waitForOutput(containing: #"cannot complete "db" yet"#)
            try server.start()
            await server.waitUntilAcceptingConnections()
            let result = await ready.finish()
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains(#"Unit "db" ready (file:"#), "\(result)")
            let status = try await agents.syncctl(0, "status", "db", "-o", "json")
            #expect(status.stdout.contains(#""status": "completed""#), "\(status)")
        }
    }
}
