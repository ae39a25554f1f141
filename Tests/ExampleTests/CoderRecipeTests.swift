import Foundation
import SyncTestSupport
import Testing

extension RecipeTests {
    /// examples/coder: four coder_scripts that coder starts at once. terraform and the coder provider cannot run here
    /// (no provider, no network): the fragment's references to its scripts are checked, and the scripts themselves
    /// run as coder would run them, all at once, against a real agent.
    @Suite("coder template fragment")
    struct Coder {
        static let scripts = ["git-clone", "deps-install", "dev-server", "ai-agent"]

        @Test func everyCoderScriptRunsOnStartWithABodyKeptInScripts() throws {
            let fragment = try Examples.text("coder/main.tf")
            let bodies = try Examples.captures(
                of: #"script\s*=\s*file\("\$\{path\.module\}/(scripts/[^"]+)"\)"#,
                in: fragment)
            #expect(bodies == Self.scripts.map { "scripts/\($0).sh" })
            #expect(try Examples.captures(of: #"^resource "(coder_script)""#, in: fragment).count == 4)
            #expect(try Examples.captures(of: #"^\s*(run_on_start)\s*=\s*true"#, in: fragment).count == 4)
            #expect(
                Examples.files(in: "coder/scripts") == bodies.map { String($0.dropFirst("scripts/".count)) }.sorted())
            for body in bodies { #expect(Examples.isExecutable("coder/\(body)"), "\(body)") }
        }

        @Test func theScriptsStartedAtOnceRunInOrderAndLeaveTheDevServerRunning() async throws {
            try await withRecipe { recipe in
                let origin = try await makeRepository(in: recipe)
                let port = try await recipe.freePort()
                let project = "\(recipe.scratch)/project"
                let environment = [
                    "REPO_URL": origin, "REPO_DIR": project, "DEV_SERVER_PORT": port,
                    "DEV_SERVER_LOG": "\(recipe.scratch)/dev-server.log",
                ]
                // Last first: the order comes from the agent, not from who starts first.
                let running = try Self.scripts.reversed().map {
                    ($0, try recipe.script("coder/scripts/\($0).sh", environment: environment))
                }
                var outputs: [String: String] = [:]
                for (name, process) in running {
                    let result = await process.finish()
                    #expect(result.status == 0, "\(name): \(result)")
                    outputs[name] = result.stdout + result.stderr
                }
                let timeline = try await recipe.timeline()
                timeline.expectCompleted("git-clone", before: "deps-install")
                timeline.expectCompleted("deps-install", before: "dev-server")
                timeline.expectCompleted("dev-server", before: "ai-agent")
                timeline.expectCompleted("git-clone", before: "ai-agent")
                #expect(timeline.status("ai-agent") == "completed")
                // script/bootstrap and script/build ran, in the clone.
                for file in [".dependencies-installed", ".built"] {
                    #expect(FileManager.default.fileExists(atPath: "\(project)/\(file)"), "\(outputs)")
                }
                #expect(outputs["ai-agent"]?.contains("http://127.0.0.1:\(port)/ answered 200") == true)
                // Its script ended once it was ready; the server goes on.
                #expect(try await recipe.answers("http://127.0.0.1:\(port)/"))
            }
        }

        @Test func aFailedCloneSkipsEveryScriptThatNeedsItAtOnce() async throws {
            try await withRecipe { recipe in
                let log = "\(recipe.scratch)/dev-server.log"
                let environment = [
                    "REPO_URL": "\(recipe.scratch)/no-such-repository.git", "REPO_DIR": "\(recipe.scratch)/project",
                    "DEV_SERVER_PORT": try await recipe.freePort(), "DEV_SERVER_LOG": log,
                ]
                let running = try Self.scripts.map {
                    ($0, try recipe.script("coder/scripts/\($0).sh", environment: environment))
                }
                var statuses: [String: Int32] = [:]
                for (name, process) in running { statuses[name] = await process.finish().status }
                #expect(statuses == ["git-clone": 128, "deps-install": 122, "dev-server": 122, "ai-agent": 122])
                let timeline = try await recipe.timeline()
                #expect(timeline.status("git-clone") == "failed")
                for unit in ["deps-install", "dev-server", "ai-agent"] {
                    timeline.expectSkipped(unit, because: "git-clone")
                }
                // The server's `syncctl run`, in the background, ends on its own.
                let group = running.first { $0.0 == "dev-server" }!.1
                #expect(await recipe.groupEnds(group))
                let serverOutput = try String(contentsOfFile: log, encoding: .utf8)
                #expect(serverOutput.contains("git-clone failed") && !serverOutput.contains("Serving HTTP"))
            }
        }

        /// A bare repository to clone (no network here): an app of one page, with the install and build scripts
        /// of the "scripts to rule them all" convention, each leaving a file behind.
        private func makeRepository(in recipe: RecipeRun) async throws -> String {
            let work = "\(recipe.scratch)/work"
            let files = [
                "README.md": "# The app\n", "index.html": "<h1>The app</h1>\n",
                "script/bootstrap": "#!/bin/sh\necho installing dependencies\ntouch .dependencies-installed\n",
                "script/build": "#!/bin/sh\necho building\ntouch .built\n",
            ]
            try FileManager.default.createDirectory(atPath: "\(work)/script", withIntermediateDirectories: true)
            for (name, text) in files {
                let mode = name.hasPrefix("script/") ? 0o755 : 0o644
                #expect(
                    FileManager.default.createFile(
                        atPath: "\(work)/\(name)", contents: Data(text.utf8),
                        attributes: [.posixPermissions: mode]))
            }
            let origin = "\(recipe.scratch)/origin.git"
            for arguments in [
                ["init", "--quiet", work], ["-C", work, "add", "--all"],
                [
                    "-C", work, "-c", "user.name=Recipe", "-c", "user.email=recipe@example.com", "commit", "--quiet",
                    "--message", "The app",
                ],
                ["clone", "--quiet", "--bare", work, origin],
            ] {
                let git = RecipeRun.masked(["/usr/bin/env", "git"] + arguments)
                let result = try await RunningProcess.run(
                    git[0], Array(git.dropFirst()), environment: recipe.environment)
                #expect(result.status == 0, "git \(arguments): \(result)")
            }
            return origin
        }
    }
}
