import Foundation
import SyncTestSupport
import Testing

extension RecipeTests {
    /// examples/compose. No docker daemon here: compose.yaml is read for what ties the services together (the
    /// entrypoint scripts, the socket in the shared volume), and the entrypoints run as processes sharing one
    /// socket, each with a stand-in for its container's command.
    @Suite("docker compose")
    struct Compose {
        static let services = ["db", "migrate", "web", "smoke"]

        @Test func everyServiceEntrypointIsAnExecutableScriptAndTheSocketIsInTheSharedVolume() throws {
            let compose = try Examples.text("compose/compose.yaml")
            let entrypoints = try Examples.captures(of: #"^\s+entrypoint: \["/sync/([^"]+)"\]"#, in: compose)
            #expect(entrypoints == Self.services.map { "\($0).sh" })
            for script in entrypoints { #expect(Examples.isExecutable("compose/services/\(script)"), "\(script)") }
            let named = try Examples.captures(of: #"(?<![\w/])/sync/([\w.-]+)"#, in: compose)
            #expect(Set(named) == Set(entrypoints + ["schema.sql", "smoke.py"]))
            for file in named {
                #expect(FileManager.default.fileExists(atPath: Examples.path("compose/services/\(file)")), "\(file)")
            }
            #expect(compose.contains("- ./services:/sync:ro"))
            let volume = try Examples.captures(of: #"^\s+- sync:(/\S+)"#, in: compose)
            let socket = try Examples.captures(of: #"^\s+SYNC_AGENT_SOCKET_PATH: (\S+)"#, in: compose)
            #expect(volume.count == 2 && Set(volume).count == 1, "\(volume)")
            #expect(socket.count == 1 && socket.allSatisfy { $0.hasPrefix(volume[0] + "/") }, "\(socket)")
            // Every ordered service gets the socket's variable and the volume (the anchors), and none runs before the
            // agent answers.
            #expect(try Examples.captures(of: #"^\s+(<<: \*sync)$"#, in: compose).count == Self.services.count)
            #expect(compose.contains("test: [\"CMD\", \"syncctl\", \"ping\"]"))
        }

        @Test func theServicesStartedAtOnceOrderThemselves() async throws {
            try await withRecipe { recipe in
                let running = try await start(in: recipe, migration: "echo CREATE TABLE")
                for name in ["smoke", "migrate"] {
                    let result = await running[name]!.finish()
                    #expect(result.status == 0, "\(name): \(result)")
                }
                let timeline = try await recipe.timeline()
                timeline.expectCompleted("db", before: "migrate")
                timeline.expectCompleted("migrate", before: "web")
                timeline.expectCompleted("web", before: "smoke")
                #expect(timeline.status("smoke") == "completed")
                #expect(running["smoke"]!.outputSoFar.contains("answered 200"))
            }
        }

        @Test func aFailedMigrationSkipsWhatNeedsItAndLeavesTheDatabaseRunning() async throws {
            try await withRecipe { recipe in
                let running = try await start(in: recipe, migration: "echo 'ERROR: syntax error' >&2; exit 3")
                #expect(await running["migrate"]!.finish().status == 3)
                for name in ["web", "smoke"] {
                    let result = await running[name]!.finish()
                    #expect(result.status == 122, "\(name): \(result)")
                    #expect(result.stderr.contains("migrate failed (\"exit 3\")"), "\(name): \(result)")
                    #expect(!result.stderr.contains("Serving HTTP"))
                }
                let timeline = try await recipe.timeline()
                #expect(timeline.status("db") == "completed")
                #expect(timeline.status("migrate") == "failed")
                timeline.expectSkipped("web", because: "migrate")
                timeline.expectSkipped("smoke", because: "migrate")
            }
        }

        /// Starts every entrypoint at once, the last first, each with a stand-in for its container's command: a
        /// listener for PostgreSQL, `migration` for psql, python's http.server for the app, smoke.py as it is.
        private func start(in recipe: RecipeRun, migration: String) async throws -> [String: RunningProcess] {
            let database = try await recipe.freePort()
            let web = try await recipe.freePort()
            let environment = ["PGPORT": database, "PORT": web]
            let commands = [
                "smoke": ["python3", Examples.path("compose/services/smoke.py"), "http://127.0.0.1:\(web)/"],
                "web": ["python3", "-m", "http.server", web, "--bind", "127.0.0.1"],
                "migrate": ["sh", "-c", migration],
                "db": ["python3", "-m", "http.server", database, "--bind", "127.0.0.1"],
            ]
            var running: [String: RunningProcess] = [:]
            for name in Self.services.reversed() {
                running[name] = try recipe.script(
                    "compose/services/\(name).sh", commands[name]!, environment: environment)
            }
            return running
        }
    }
}
