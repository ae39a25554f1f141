import Foundation
import SyncTestSupport
import Testing

extension RecipeTests {
    /// examples/devcontainer. No container runs here: devcontainer.json is parsed as JSON, and the commands it
    /// names run as a dev container runs them, from a workspace folder whose `.devcontainer` is this recipe, with
    /// every postStartCommand at once.
    @Suite("dev container")
    struct DevContainer {
        struct Configuration {
            var postStart: [String: String]
            var postAttach: String
            var dockerfile: String
        }

        static func configuration() throws -> Configuration {
            let text = try Examples.text("devcontainer/devcontainer.json")
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
            return Configuration(
                postStart: object["postStartCommand"] as? [String: String] ?? [:],
                postAttach: object["postAttachCommand"] as? String ?? "",
                dockerfile: (object["build"] as? [String: Any])?["dockerfile"] as? String ?? "")
        }

        @Test func itsCommandsAreExecutableScriptsOfTheRecipeAndItsImageInstallsTheBinaries() throws {
            let configuration = try Self.configuration()
            #expect(configuration.postStart.keys.sorted() == ["deps", "web"])
            let commands = configuration.postStart.values.sorted() + [configuration.postAttach]
            for command in commands {
                #expect(command.hasPrefix(".devcontainer/scripts/"), "\(command)")
                #expect(Examples.isExecutable("devcontainer/\(command.dropFirst(".devcontainer/".count))"))
            }
            #expect(
                Examples.files(in: "devcontainer/scripts")
                    == commands.map { String($0.dropFirst(".devcontainer/scripts/".count)) }.sorted())
            let dockerfile = try Examples.text("devcontainer/\(configuration.dockerfile)")
            #expect(dockerfile.contains("/src/scripts/install.sh --destdir /out --prefix /usr/local"))
            #expect(dockerfile.contains("COPY --from=sync-agent /out/usr/local/ /usr/local/"))
        }

        @Test func postStartCommandsRunInOrderAndPostAttachWaitsForThem() async throws {
            try await withRecipe { recipe in
                let workspace = try makeWorkspace(in: recipe, files: ["index.html": "app"])
                let port = try await recipe.freePort()
                let environment = ["APP_PORT": port, "WEB_LOG": "\(recipe.scratch)/web.log"]
                let (attach, starts) = try start(in: workspace, recipe: recipe, environment: environment)
                for (name, process) in starts {
                    let result = await process.finish()
                    #expect(result.status == 0, "\(name): \(result)")
                }
                let timeline = try await recipe.timeline()
                timeline.expectCompleted("deps", before: "web")
                #expect(timeline.status("web") == "completed")
                let attached = await attach.finish()
                #expect(attached.status == 0, "\(attached)")
                #expect(attached.stdout.contains("Units completed: [deps, web]"))
                #expect(attached.stdout.contains("The app answers at http://localhost:\(port)/"))
                #expect(try await recipe.answers("http://127.0.0.1:\(port)/index.html"))
            }
        }

        @Test func aFailedInstallKeepsTheServerFromStartingAndTheAttachSaysWhy() async throws {
            try await withRecipe { recipe in
                // A lock file npm cannot install from (or no npm at all): deps fails either way.
                let workspace = try makeWorkspace(in: recipe, files: ["package-lock.json": "{}"])
                let log = "\(recipe.scratch)/web.log"
                let environment = ["APP_PORT": try await recipe.freePort(), "WEB_LOG": log]
                let (attach, starts) = try start(in: workspace, recipe: recipe, environment: environment)
                var statuses: [String: Int32] = [:]
                for (name, process) in starts { statuses[name] = await process.finish().status }
                #expect(statuses["deps"] != 0 && statuses["web"] == 122, "\(statuses)")
                let attached = await attach.finish()
                #expect(attached.status == 122, "\(attached)")
                #expect(attached.stderr.contains("deps failed"), "\(attached)")
                let timeline = try await recipe.timeline()
                #expect(timeline.status("deps") == "failed")
                timeline.expectSkipped("web", because: "deps")
                #expect(await recipe.groupEnds(starts.first { $0.0 == "web" }!.1))
                #expect(try !String(contentsOfFile: log, encoding: .utf8).contains("Serving HTTP"))
            }
        }

        /// A workspace folder whose `.devcontainer` is this recipe, holding `files`.
        private func makeWorkspace(in recipe: RecipeRun, files: [String: String]) throws -> String {
            let workspace = "\(recipe.scratch)/workspace"
            try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: "\(workspace)/.devcontainer", withDestinationPath: Examples.path("devcontainer"))
            for (name, text) in files {
                #expect(FileManager.default.createFile(atPath: "\(workspace)/\(name)", contents: Data(text.utf8)))
            }
            return workspace
        }

        /// Starts the postAttachCommand first (an editor may attach before the start-up is done), then every
        /// postStartCommand at once, each in `workspace`.
        private func start(in workspace: String, recipe: RecipeRun, environment: [String: String]) throws
            -> (attach: RunningProcess, starts: [(String, RunningProcess)])
        {
            let configuration = try Self.configuration()
            let attach = try recipe.shell(configuration.postAttach, in: workspace, environment: environment)
            let starts = try configuration.postStart.sorted { $0.key > $1.key }.map {
                ($0.key, try recipe.shell($0.value, in: workspace, environment: environment))
            }
            return (attach, starts)
        }
    }
}
