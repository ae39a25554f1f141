import Foundation
import SyncTestSupport
import Testing

extension RecipeTests {
    /// examples/github-actions. No runner here: the workflow's steps are read from e2e.yml, and those after the
    /// install (which needs the network) run in order as a runner runs them: each a bash script from the
    /// repository's root, `if:` honoured (success, always, failure).
    @Suite("GitHub Actions job")
    struct GitHubActions {
        struct Step {
            var name: String
            var condition: String?
            var run: String?
        }

        /// The steps of the job, read line by line (the workflow keeps to `- name:`, `if:`, `run:` and `run: |`).
        static func steps() throws -> [Step] {
            var steps: [Step] = []
            var block: (indent: Int, lines: [String])?
            for line in try Examples.text("github-actions/e2e.yml").split(
                separator: "\n", omittingEmptySubsequences: false)
            {
                let indent = line.prefix { $0 == " " }.count
                let text = line.drop { $0 == " " }
                if var open = block {
                    if text.isEmpty || indent > open.indent {
                        open.lines.append(String(line.dropFirst(min(indent, open.indent + 2))))
                        block = open
                        continue
                    }
                    steps[steps.count - 1].run = open.lines.joined(separator: "\n")
                    block = nil
                }
                if text.hasPrefix("- name: ") || text.hasPrefix("- uses: ") {
                    steps.append(Step(name: String(text.dropFirst("- name: ".count))))
                } else if text.hasPrefix("if: "), !steps.isEmpty {
                    steps[steps.count - 1].condition = String(text.dropFirst("if: ".count))
                } else if text == "run: |", !steps.isEmpty {
                    block = (indent, [])
                } else if text.hasPrefix("run: "), !steps.isEmpty {
                    steps[steps.count - 1].run = String(text.dropFirst("run: ".count))
                }
            }
            return steps
        }

        @Test func theStepsCallExecutableScriptsAndWaitForEveryUnit() throws {
            let steps = try Self.steps()
            #expect(
                steps.map(\.name) == [
                    "actions/checkout@v4", "Install sync-agent", "Start the services", "Wait for the services",
                    "Run the tests", "Show the start-up", "Show the services' output",
                ])
            #expect(steps.contains { $0.run == "syncctl wait --all --timeout 5m" })
            #expect(steps[1].run?.contains("/scripts/install.sh\" --prefix \"$HOME/.local\"") == true)
            let scripts = steps.compactMap(\.run).filter { $0.hasPrefix(".github/ci/") }
            #expect(scripts == [".github/ci/start-services.sh", ".github/ci/run-tests.sh"])
            for script in scripts {
                #expect(Examples.isExecutable("github-actions/ci/\(script.dropFirst(".github/ci/".count))"))
            }
            #expect(Examples.files(in: "github-actions/ci") == ["run-tests.sh", "start-services.sh"])
            #expect(try Examples.text("github-actions/ci/start-services.sh").contains("syncctl run api --after db"))
        }

        @Test func theServicesAreReadyBeforeTheTestsRun() async throws {
            try await withRecipe { recipe in
                let (results, skipped) = try await runJob(in: recipe, environment: [:])
                for name in ["Start the services", "Wait for the services", "Run the tests", "Show the start-up"] {
                    #expect(results[name]?.status == 0, "\(name): \(String(describing: results[name]))")
                }
                #expect(skipped == ["Show the services' output"], "it runs only when a step failed")
                #expect(results["Run the tests"]?.stdout.contains("answered 200") == true)
                #expect(results["Show the start-up"]?.stdout.contains("critical path") == true)
                let timeline = try await recipe.timeline()
                timeline.expectCompleted("deps", before: "api")
                timeline.expectCompleted("db", before: "api")
                timeline.expectCompleted("api", before: "tests")
            }
        }

        @Test func aServiceThatDiesFailsTheWaitNamingItAndTheTestsDoNotRun() async throws {
            try await withRecipe { recipe in
                let (results, skipped) = try await runJob(in: recipe, environment: ["API_COMMAND": "exit 3"])
                #expect(results["Start the services"]?.status == 0)
                let wait = try #require(results["Wait for the services"])
                #expect(wait.status == 122, "\(wait)")
                #expect(wait.stderr.contains("api failed (\"exited before ready: exit 3\")"), "\(wait)")
                #expect(skipped == ["Run the tests"])
                #expect(results["Show the start-up"]?.status == 0)
                #expect(results["Show the services' output"]?.stdout.contains("exited before ready") == true)
                #expect(try await recipe.timeline().status("db") == "completed")
            }
        }

        /// Runs the steps from "Start the services" on, as a runner does: each a bash script (`bash --noprofile
        /// --norc -eo pipefail`) from the repository's root, where `.github/ci` is this recipe's `ci`. - Returns: the
        /// result of each step that ran, and the names of those their `if:` skipped.
        private func runJob(in recipe: RecipeRun, environment extra: [String: String]) async throws
            -> (results: [String: RunningProcess.Result], skipped: [String])
        {
            let repository = "\(recipe.scratch)/repository"
            try FileManager.default.createDirectory(atPath: "\(repository)/.github", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: "\(repository)/.github/ci", withDestinationPath: Examples.path("github-actions/ci"))
            var environment = ["RUNNER_TEMP": recipe.scratch, "DB_PORT": try await recipe.freePort()]
            environment["API_PORT"] = try await recipe.freePort()
            environment.merge(extra) { $1 }
            var results: [String: RunningProcess.Result] = [:]
            var skipped: [String] = []
            var failed = false
            for (index, step) in try Self.steps().drop(while: { $0.name != "Start the services" }).enumerated() {
                let condition = step.condition ?? "success()"
                guard condition == "always()" || (condition == "failure()") == failed, let run = step.run else {
                    skipped.append(step.name)
                    continue
                }
                let script = "\(recipe.scratch)/step-\(index).sh"
                try "cd '\(repository)'\n\(run)\n".write(toFile: script, atomically: true, encoding: .utf8)
                let process = try recipe.start(
                    "/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", script], environment: environment)
                let result = await process.finish()
                failed = failed || result.status != 0
                results[step.name] = result
            }
            return (results, skipped)
        }
    }
}
