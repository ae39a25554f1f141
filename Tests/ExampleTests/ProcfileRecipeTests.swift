import Foundation
import SyncTestSupport
import Testing

extension RecipeTests {
    /// examples/procfile: one script of `syncctl run` lines, watched with sync-top.
    @Suite("Procfile-style start.sh")
    struct Procfile {
        static let units = ["assets", "db", "migrate", "web", "worker"]

        @Test func itsProcessesOrderThemselvesShowInSyncTopAndStopTogether() async throws {
            try await withRecipe { recipe in
                let environment = ["DB_PORT": try await recipe.freePort(), "WEB_PORT": try await recipe.freePort()]
                let start = try recipe.script("procfile/start.sh", environment: environment)
                let waited = try await recipe.syncctl(["wait"] + Self.units + ["--timeout", "60s"])
                #expect(waited.status == 0, "\(waited)\n\(start.outputSoFar)")
                let timeline = try await recipe.timeline()
                timeline.expectCompleted("db", before: "migrate")
                timeline.expectCompleted("migrate", before: "web")
                timeline.expectCompleted("db", before: "worker")
                #expect(timeline.status("assets") == "completed")

                let top = try await RunningProcess.run(
                    Products.path("sync-top"), ["--once"], environment: recipe.environment)
                #expect(top.status == 0, "\(top)")
                for unit in Self.units { #expect(top.stdout.contains(unit), "\(unit): \(top.stdout)") }

                // Each line carries its process's name, as foreman's do.
                await start.waitForOutput(containing: "worker  | worker ready")
                await start.waitForOutput(containing: "web     | Unit \"web\" ready after")
                #expect(start.outputSoFar.contains("migrate | schema is up to date"))

                // SIGTERM to the script alone stops every process it started (which hold its output open: finish()
                // returns only once they all ended).
                start.signal(SIGTERM)
                guard await recipe.groupEnds(start) else {
                    Issue.record("start.sh left processes running after SIGTERM")
                    return
                }
                #expect(await start.finish().status == 143)
            }
        }

        /// As a workspace runs it: nobody started an agent; the first `syncctl run` of the script starts one, which
        /// every other line of the script, and whoever asks afterwards, shares.
        @Test func itNeedsNoAgentStartedByHand() async throws {
            try await withRecipe(autostart: true) { recipe in
                #expect(recipe.autostartedAgents.isEmpty)
                let environment = ["DB_PORT": try await recipe.freePort(), "WEB_PORT": try await recipe.freePort()]
                let start = try recipe.script("procfile/start.sh", environment: environment)
                await start.waitForOutput(containing: "web     | Unit \"web\" ready after")
                let waited = try await recipe.syncctl(["wait"] + Self.units + ["--timeout", "60s"])
                #expect(waited.status == 0, "\(waited)\n\(start.outputSoFar)")
                let line = "started sync-agent (pid"
                #expect(start.outputSoFar.components(separatedBy: line).count == 2, "once:\n\(start.outputSoFar)")
                #expect(!waited.stderr.contains(line), "\(waited)")
                #expect(recipe.autostartedAgents.count == 1, "\(recipe.autostartedAgents)")
                let timeline = try await recipe.timeline()
                timeline.expectCompleted("db", before: "migrate")
                timeline.expectCompleted("migrate", before: "web")

                start.signal(SIGTERM)
                guard await recipe.groupEnds(start) else {
                    Issue.record("start.sh left processes running after SIGTERM")
                    return
                }
                #expect(await start.finish().status == 143)
            }
        }
    }
}
