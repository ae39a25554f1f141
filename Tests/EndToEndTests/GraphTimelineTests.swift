import Foundation
import SyncCore
import SyncProtocol
import SyncReports
import SyncTestSupport
import Testing

import SyncProtocol

/// `syncctl graph` and `syncctl timeline` through the built binaries, and their JSON shapes on fixed data.
@Suite("graph and timeline")
struct GraphTimelineTests {
    /// git completed; claude (started after waiting for git) and deps depend on git; app on claude and deps; deps
    /// failed, which skipped app; tool waits on vault, which nobody registered.
    private func declareStartup(_ agent: AgentProcess) async throws {
        #expect(try await agent.syncctl("start", "git").status == 0)
        for (unit, dependency) in [("claude", "git"), ("deps", "git"), ("app", "claude"), ("app", "deps")] {
            #expect(try await agent.syncctl("want", unit, dependency).status == 0)
        }
        let claude = try agent.spawn("start", "claude")
        await claude.waitForOutput(containing: "is waiting")
        #expect(try await agent.syncctl("complete", "git").status == 0)
        #expect(await claude.finish().status == 0)
        #expect(try await agent.syncctl("fail", "deps", "--reason", "exit 1").status == 0)
        #expect(try await agent.syncctl("want", "tool", "vault").status == 0)
    }

    @Test func graphInEveryFormat() async throws {
        try await withAgentProcess { agent in
            try await declareStartup(agent)
            let text = try await agent.syncctl("graph")
            #expect(text.status == 0 && text.stderr == "", "\(text)")
            #expect(
                text.stdout == """
                    app  ⊘ skipped: deps failed
                    ├── claude  ● started
                    │   └── git  ✔ completed
                    └── deps  ✘ failed ("exit 1")
                        └── git  ✔ completed (see above)
                    tool  ◌ pending
                    └── vault  ? not registered

                    """)

            let dot = try await agent.syncctl("graph", "-o", "dot")
            #expect(dot.status == 0 && dot.stdout.hasPrefix("digraph sync {\n") && dot.stdout.hasSuffix("\n}\n"))
            #expect(dot.stdout.contains("\n  \"app\" -> \"deps\" [label=\"completed\"];\n"))
            #expect(dot.stdout.contains("\n  \"deps\" [label=\"deps\\nfailed\", fillcolor=\"#fecaca\", "))

            let mermaid = try await agent.syncctl("graph", "-o", "mermaid", "--direction", "lr")
            #expect(mermaid.status == 0 && mermaid.stdout.hasPrefix("flowchart LR\n"))
            #expect(mermaid.stdout.contains("\n    u_app -->|completed| u_claude\n"))
            #expect(mermaid.stdout.contains("\n    class u_vault unregistered\n"))

            let json = try await agent.syncctl("graph", "-o", "json")
            #expect(json.status == 0)
            let parsed = try JSON.parse(json.stdout)
            let units = try #require(parsed["units"]?.arrayValue)
            let names = units.compactMap { $0["unit_name"]?.stringValue }
            #expect(names == ["app", "claude", "deps", "git", "tool", "vault"])
            #expect(units.last?["status"]?.stringValue == "", "an unregistered unit has coder's empty status")
            #expect(parsed["edges"]?.arrayValue?.count == 5)
        }
    }

    @Test func focus() async throws {
        try await withAgentProcess { agent in
            try await declareStartup(agent)
            let focused = try await agent.syncctl("graph", "--focus", "deps", "-o", "json")
            #expect(focused.status == 0)
            let units = try JSON.parse(focused.stdout)["units"]?.arrayValue ?? []
            #expect(units.compactMap { $0["unit_name"]?.stringValue } == ["app", "deps", "git"])

            let typo = try await agent.syncctl("graph", "--focus", "gti")
            #expect(typo.status == 1 && typo.stdout == "")
            #expect(typo.stderr == "error: unit \"gti\" is not in the graph\nhint: did you mean \"git\"?\n")

            let unknown = try await agent.syncctl("graph", "--focus", "postgres", "-o", "dot")
            #expect(unknown.status == 1)
            #expect(unknown.stderr.hasPrefix("error: unit \"postgres\" is not in the graph\nhint: syncctl graph shows"))
        }
    }

    @Test func timelineInEveryFormat() async throws {
        try await withAgentProcess { agent in
            try await declareStartup(agent)
            let text = try await agent.syncctl("timeline", "--width", "80")
            #expect(text.status == 0 && text.stderr == "", "\(text)")
            let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.first?.hasPrefix("  UNIT ") == true && lines.first?.contains("REGISTERED  WAITED") == true)
            #expect(lines.last?.hasPrefix("critical path: git -> claude (") == true, "\(text.stdout)")
            #expect(lines.contains { $0.hasPrefix("◆ claude ") && $0.contains("░") && $0.contains("█") })
            let chart = lines.drop { !$0.isEmpty }.dropFirst().prefix { !$0.isEmpty }
            #expect(chart.count == 2 + 5 + 1 && chart.allSatisfy { $0.count <= 80 }, "\(text.stdout)")

            let json = try JSON.parse(try await agent.syncctl("timeline", "-o", "json").stdout)
            #expect(json["critical_path"] == .strings(["git", "claude"]))
            #expect(json["units"]?.arrayValue?.count == 5)

            let trace = try await agent.syncctl("timeline", "-o", "trace")
            #expect(trace.status == 0)
            let events = try #require(try JSON.parse(trace.stdout)["traceEvents"]?.arrayValue)
            let threads = events.filter { $0["name"] == "thread_name" }.compactMap { $0["args"]?["name"]?.stringValue }
            #expect(Set(threads) == ["git", "claude", "deps", "app", "tool"])
            let slices = events.filter { $0["ph"] == "X" }
            #expect(slices.allSatisfy { ($0["ts"]?.int64Value ?? -1) >= 0 && ($0["dur"]?.int64Value ?? -1) >= 0 })
            #expect(slices.count == 3, "git ran; claude waited and runs; the others never waited or ran")
        }
    }

    @Test func timelineWidthComesFromColumns() async throws {
        try await withAgentProcess { agent in
            try await declareStartup(agent)
            let environment = ["SYNC_AGENT_SOCKET_PATH": agent.socket, "COLUMNS": "50"]
            let result = try await RunningProcess.run(Products.path("syncctl"), ["timeline"], environment: environment)
            #expect(result.status == 0)
            let chart = result.stdout.split(separator: "\n").drop { !$0.contains("┬") }.dropLast()
            #expect(!chart.isEmpty && chart.allSatisfy { $0.count <= 50 }, "\(result.stdout)")
            #expect(chart.contains { $0.count >= 48 })

            let zero = try await agent.syncctl("timeline", "--width", "0")
            #expect(zero.status == 2 && zero.stderr == "error: --width must be a positive number of columns\n")
        }
    }

    @Test func emptyAgent() async throws {
        try await withAgentProcess { agent in
            #expect(try await agent.syncctl("graph").stdout == "No units registered\n")
            let json = try await agent.syncctl("graph", "-o", "json")
            #expect(json.stdout == "{\n  \"units\": [],\n  \"edges\": []\n}\n")
            #expect(try await agent.syncctl("timeline").stdout == "No units registered\n")
            let trace = try JSON.parse(try await agent.syncctl("timeline", "-o", "trace").stdout)
            #expect(trace["traceEvents"]?.arrayValue?.count == 1, "the process name only")
            #expect(trace["displayTimeUnit"] == "ms")
        }
    }

    // MARK: The JSON shapes on fixed data

    /// a starts at 0 and completes at 2 s; b, registered at 0.5 s, waits for a from 1 s and runs from 2 s; now is 3 s.
    private static func report() throws -> TimelineReport {
        let base: Int64 = 1_795_683_600_000_000
        func event(_ sequence: UInt64, _ seconds: Double, _ kind: SyncEvent.Kind) -> SyncEvent {
            SyncEvent(sequence: sequence, time: Timestamp(microseconds: base + Int64(seconds * 1_000_000)), kind: kind)
        }
        let events = [
            event(1, 0, .registered(unit: "a")),
            event(2, 0, .statusChanged(unit: "a", from: .pending, to: .started, reason: nil, cause: nil)),
            event(3, 0.5, .registered(unit: "b")),
            event(4, 0.5, .dependencyAdded(unit: "b", dependsOn: "a", required: .completed)),
            event(5, 1, .waitBegan(unit: "b", unsatisfied: ["a"])),
            event(6, 2, .statusChanged(unit: "a", from: .started, to: .completed, reason: nil, cause: nil)),
            event(7, 2, .statusChanged(unit: "b", from: .pending, to: .started, reason: nil, cause: nil)),
            event(8, 2, .waitEnded(unit: "b", outcome: .started)),
        ]
        return TimelineReport(
            timeline: SyncReports.Timeline(events: events), now: Timestamp(microseconds: base + 3_000_000))
    }

    @Test func traceEvents() throws {
        let trace = try JSON.parse(try Self.report().trace.compact)
        #expect(trace["displayTimeUnit"] == "ms")
        #expect(trace["otherData"]?["critical_path"] == .strings(["a", "b"]))
        let events = try #require(trace["traceEvents"]?.arrayValue)
        let summary = events.map { event in
            [event["ph"], event["name"], event["tid"], event["ts"], event["dur"]]
                .map { $0?.stringValue ?? $0?.compact ?? "-" }.joined(separator: " ")
        }
        #expect(
            summary == [
                "M process_name 0 - -",
                "M thread_name 1 - -", "M thread_sort_index 1 - -", "i registered 1 0 -", "X run 1 0 2000000",
                "M thread_name 2 - -", "M thread_sort_index 2 - -", "i registered 2 500000 -",
                "X wait 2 1000000 1000000", "X run 2 2000000 1000000",
            ])
        #expect(events[1]["args"]?["name"] == "a")
        #expect(events[8]["args"] == .object([("status", "started"), ("dependencies", .strings(["a"]))]))
        #expect(
            events[9]["args"] == .object([("status", "started"), ("critical", true), ("ongoing", true)]),
            "b still runs at now")
    }

    @Test func timelineJSON() throws {
        let json = try Self.report().json
        #expect(json["start"] == "2026-11-26T09:00:00.000000Z")
        #expect(json["span_us"] == 3_000_000 && json["critical_path_us"] == 3_000_000)
        let b = try #require(json["units"]?.arrayValue?.last)
        #expect(b["unit_name"] == "b" && b["registered_us"] == 500_000)
        #expect(b["wait_began_us"] == 1_000_000 && b["wait_ended_us"] == 2_000_000 && b["waited_us"] == 1_000_000)
        #expect(b["started_us"] == 2_000_000 && b["ended_us"] == .null && b["ran_us"] == 1_000_000)
    }

    @Test func graphJSON() {
        let snapshot = GraphSnapshot(
            sequence: 3,
            units: [
                UnitInfo(
                    name: "b", status: .pending, isReady: false, registeredAt: Timestamp(), since: Timestamp())
            ],
            edges: [DependencyEdge(unit: "b", dependsOn: "a")])
        #expect(
            GraphExport(snapshot: snapshot).json.pretty == """
                {
                  "units": [
                    {
                      "unit_name": "a",
                      "status": "",
                      "is_ready": true,
                      "reason": null,
                      "cause": null
                    },
                    {
                      "unit_name": "b",
                      "status": "pending",
                      "is_ready": false,
                      "reason": null,
                      "cause": null
                    }
                  ],
                  "edges": [
                    {
                      "unit_name": "b",
                      "depends_on": "a",
                      "required_status": "completed",
                      "current_status": "",
                      "is_satisfied": false
                    }
                  ]
                }
                """)
    }
}
