import SyncTestSupport
import Testing

/// coder's `coder exp sync` golden files, byte for byte with LF line ends, through the built binaries.
@Suite("coder's golden cases")
struct GoldenTests {
    /// Expects success with exactly `stdout` and nothing on stderr.
    private func expectSuccess(_ result: RunningProcess.Result, _ stdout: String) {
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == stdout)
        #expect(result.stderr == "")
    }

    @Test func ping() async throws {
        try await withAgentProcess { agent in
            expectSuccess(try await agent.syncctl("ping"), "Success\n")
        }
    }

    @Test func startNoDependencies() async throws {
        try await withAgentProcess { agent in
            expectSuccess(
                try await agent.syncctl("start", "test-unit"), "Unit \"test-unit\" started with no dependencies\n")
        }
    }

    @Test func startWithDependencies() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "test-unit", "dep-unit")
            _ = try await agent.syncctl("want", "test-unit", "dep-unit-2")
            let start = try agent.spawn("start", "test-unit")
            await start.waitForOutput(containing: "is waiting for dependencies")
            for dependency in ["dep-unit", "dep-unit-2"] {
                _ = try await agent.syncctl("start", dependency)
                _ = try await agent.syncctl("complete", dependency)
            }
            expectSuccess(
                await start.finish(),
                """
                Unit "test-unit" is waiting for dependencies to be satisfied: [dep-unit, dep-unit-2]
                Unit "test-unit" finished waiting for dependencies: [dep-unit, dep-unit-2]

                """)
        }
    }

    @Test func startWithSatisfiedDependencies() async throws {
        try await withAgentProcess { agent in
            for dependency in ["dep-unit", "dep-unit-2"] {
                _ = try await agent.syncctl("start", dependency)
                _ = try await agent.syncctl("complete", dependency)
            }
            _ = try await agent.syncctl("want", "test-unit", "dep-unit", "dep-unit-2")
            expectSuccess(
                try await agent.syncctl("start", "test-unit"),
                "Unit \"test-unit\" started immediately, dependencies already satisfied: [dep-unit, dep-unit-2]\n")
        }
    }

    @Test func want() async throws {
        try await withAgentProcess { agent in
            expectSuccess(
                try await agent.syncctl("want", "test-unit", "dep-unit"),
                "Unit \"test-unit\" declared dependencies: [dep-unit]\n")
        }
    }

    @Test func wantMultipleDependencies() async throws {
        try await withAgentProcess { agent in
            expectSuccess(
                try await agent.syncctl("want", "test-unit", "dep-1", "dep-2", "dep-3"),
                "Unit \"test-unit\" declared dependencies: [dep-1, dep-2, dep-3]\n")
            let status = try await agent.syncctl("status", "test-unit", "--output", "json")
            #expect(status.status == 0)
            for name in ["dep-1", "dep-2", "dep-3"] { #expect(status.stdout.contains("\"\(name)\"")) }
        }
    }

    @Test func complete() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "test-unit")
            expectSuccess(try await agent.syncctl("complete", "test-unit"), "Success\n")
        }
    }

    @Test func statusPending() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "test-unit", "dep-unit")
            expectSuccess(
                try await agent.syncctl("status", "test-unit"),
                """
                Unit: test-unit
                Status: pending
                Ready: false

                Dependencies:
                DEPENDS ON  REQUIRED STATUS  CURRENT STATUS  SATISFIED  
                dep-unit    completed        not registered  false      

                """)
        }
    }

    @Test(arguments: [("started", false), ("completed", true)])
    func statusWithoutDependencies(status: String, complete: Bool) async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "test-unit")
            if complete { _ = try await agent.syncctl("complete", "test-unit") }
            expectSuccess(
                try await agent.syncctl("status", "test-unit"),
                "Unit: test-unit\nStatus: \(status)\nReady: true\n\nDependencies:\nNo dependencies found\n")
        }
    }

    @Test func statusWithDependencies() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "test-unit", "dep-1")
            _ = try await agent.syncctl("want", "test-unit", "dep-2")
            _ = try await agent.syncctl("start", "dep-1")
            _ = try await agent.syncctl("complete", "dep-1")
            expectSuccess(
                try await agent.syncctl("status", "test-unit"),
                """
                Unit: test-unit
                Status: pending
                Ready: false

                Dependencies:
                DEPENDS ON  REQUIRED STATUS  CURRENT STATUS  SATISFIED  
                dep-1       completed        completed       true       
                dep-2       completed        not registered  false      

                """)
        }
    }

    @Test func statusJSONFormat() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("want", "test-unit", "dep-unit")
            _ = try await agent.syncctl("start", "dep-unit")
            _ = try await agent.syncctl("complete", "dep-unit")
            expectSuccess(
                try await agent.syncctl("status", "test-unit", "--output", "json"),
                """
                {
                  "unit_name": "test-unit",
                  "status": "pending",
                  "is_ready": true,
                  "dependencies": [
                    {
                      "depends_on": "dep-unit",
                      "required_status": "completed",
                      "current_status": "completed",
                      "is_satisfied": true
                    }
                  ]
                }

                """)
        }
    }

    @Test func listNoUnits() async throws {
        try await withAgentProcess { agent in
            expectSuccess(try await agent.syncctl("list"), "No units registered\n")
        }
    }

    @Test func listWithUnits() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "unit-a")
            _ = try await agent.syncctl("start", "unit-b")
            _ = try await agent.syncctl("complete", "unit-b")
            _ = try await agent.syncctl("want", "unit-c", "unit-a")
            expectSuccess(
                try await agent.syncctl("list"),
                """
                UNIT    STATUS     READY  
                unit-a  started    true   
                unit-b  completed  true   
                unit-c  pending    false  

                """)
        }
    }

    @Test func listJSONFormat() async throws {
        try await withAgentProcess { agent in
            _ = try await agent.syncctl("start", "my-unit")
            expectSuccess(
                try await agent.syncctl("list", "-o", "json"),
                """
                [
                  {
                    "unit_name": "my-unit",
                    "status": "started",
                    "is_ready": true
                  }
                ]

                """)
        }
    }
}
