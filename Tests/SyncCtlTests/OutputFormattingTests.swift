import SyncCore
import SyncProtocol
import Testing

@testable import SyncCtl

/// What `status`, `list` and `watch` print for a reply, without an agent; the end-to-end goldens check the same
/// shapes through the binary.
@Suite struct OutputFormattingTests {
    static let time = Timestamp(microseconds: 1_700_000_000_000_000)

    static func unit(_ name: String, _ status: UnitStatus, ready: Bool) -> UnitInfo {
        UnitInfo(name: name, status: status, isReady: ready, registeredAt: time, since: time)
    }

    static let report = UnitStatusReport(
        unit: "claude", info: unit("claude", .pending, ready: false), isReady: false,
        dependencies: [
            DependencyInfo(
                unit: "claude", dependsOn: "git", requiredStatus: .completed, currentStatus: .completed),
            DependencyInfo(unit: "claude", dependsOn: "vault-token", requiredStatus: .completed, currentStatus: nil),
        ],
        dependents: [])

    @Test func statusTableShowsTheUnitThenItsDependencies() {
        #expect(
            Status.table(Self.report, unit: "claude", columns: Status.columns) == """
                Unit: claude
                Status: pending
                Ready: false

                Dependencies:
                DEPENDS ON   REQUIRED STATUS  CURRENT STATUS  SATISFIED  
                git          completed        completed       true       
                vault-token  completed        not registered  false      

                """)
    }

    @Test func statusTableKeepsTheChosenColumnsInTheirOrder() {
        #expect(
            Status.table(Self.report, unit: "claude", columns: ["satisfied", "depends on"]).hasSuffix(
                """
                Dependencies:
                SATISFIED  DEPENDS ON   
                true       git          
                false      vault-token  

                """))
    }

    @Test func statusOfAnUnregisteredUnitWithoutDependencies() {
        let report = UnitStatusReport(unit: "nobody", info: nil, isReady: true, dependencies: [], dependents: [])
        #expect(
            Status.table(report, unit: "nobody", columns: Status.columns)
                == "Unit: nobody\nStatus: not registered\nReady: true\n\nDependencies:\nNo dependencies found\n")
        #expect(
            Status.json(report).pretty
                == "{\n  \"unit_name\": \"nobody\",\n  \"status\": \"\",\n  \"is_ready\": true,\n  \"dependencies\": []\n}"
        )
    }

    @Test func statusJSONIsCodersShape() {
        #expect(
            Status.json(Self.report).pretty == """
                {
                  "unit_name": "claude",
                  "status": "pending",
                  "is_ready": false,
                  "dependencies": [
                    {
                      "depends_on": "git",
                      "required_status": "completed",
                      "current_status": "completed",
                      "is_satisfied": true
                    },
                    {
                      "depends_on": "vault-token",
                      "required_status": "completed",
                      "current_status": "",
                      "is_satisfied": false
                    }
                  ]
                }
                """)
    }

    static let units = [
        unit("unit-a", .started, ready: true), unit("unit-b", .completed, ready: true),
        unit("unit-c", .pending, ready: false),
    ]

    @Test func listTable() {
        #expect(
            List.table(Self.units, columns: List.columns) == """
                UNIT    STATUS     READY  
                unit-a  started    true   
                unit-b  completed  true   
                unit-c  pending    false  

                """)
        #expect(List.table(Self.units, columns: ["ready"]) == "READY  \ntrue   \ntrue   \nfalse  \n")
        #expect(List.table([], columns: List.columns) == "No units registered\n")
    }

    @Test func listJSON() {
        #expect(
            List.json(Array(Self.units.prefix(1))).pretty == """
                [
                  {
                    "unit_name": "unit-a",
                    "status": "started",
                    "is_ready": true
                  }
                ]
                """)
        #expect(List.json([]).pretty == "[]")
    }

    @Test func tablePadsEveryColumnToItsWidestCellPlusTwo() {
        let table = Table(headers: ["a", "long header"], rows: [["wide cell", "x"], ["", ""]])
        #expect(
            table.rendered
                == "A          LONG HEADER  \nwide cell  x            \n"
                + String(repeating: " ", count: 9 + 2 + 11 + 2) + "\n")
    }

    @Test func columnsAreCommaSeparatedRepeatableAndCaseInsensitive() throws {
        #expect(try ColumnSelection.parse([]).resolve(from: List.columns) == List.columns)
        let selection = try ColumnSelection.parse(["-c", "Status, unit", "--column", "READY"])
        #expect(try selection.resolve(from: List.columns) == ["status", "unit", "ready"])
        let status = try ColumnSelection.parse(["-c", "depends on,satisfied"])
        #expect(try status.resolve(from: Status.columns) == ["depends on", "satisfied"])
    }

    @Test func anUnknownColumnIsAUsageError() throws {
        let selection = try ColumnSelection.parse(["-c", "unit,colour"])
        #expect {
            try selection.resolve(from: List.columns)
        } throws: { error in
            guard let failure = error as? CommandFailure else { return false }
            return failure.status == .usage
                && failure.message == "unknown column \"colour\"; choose from: unit, status, ready"
        }
    }

    @Test func anUnknownFocusIsRefusedWithACloseNameAsTheHint() {
        let failure = Graph.unknownUnit("gti", among: ["claude", "git"])
        #expect(failure.status == .refused)
        #expect(failure.lines == ["error: unit \"gti\" is not in the graph", "hint: did you mean \"git\"?"])
        let far = Graph.unknownUnit("postgres", among: ["claude", "git"])
        #expect(far.hint == "syncctl graph shows every unit and the dependencies they name")
    }

    @Test func watchPrintsOneLinePerEvent() {
        let time = Timestamp(microseconds: 13 * 3_600_000_000 + 19 * 60_000_000 + 18_123_000)
        func line(_ kind: SyncEvent.Kind) -> String {
            Watch.text(SyncEvent(sequence: 12, time: time, kind: kind), offset: 0)
        }
        #expect(line(.registered(unit: "git")) == "13:19:18.123  #12  git  registered (pending)")
        #expect(
            line(.statusChanged(unit: "git", from: .pending, to: .started, reason: nil, cause: nil))
                == "13:19:18.123  #12  git  pending -> started")
        #expect(
            line(.statusChanged(unit: "git", from: .started, to: .failed, reason: "exit 128", cause: nil))
                == "13:19:18.123  #12  git  started -> failed (\"exit 128\")")
        #expect(
            line(.dependencyAdded(unit: "git", dependsOn: "net", required: .completed))
                == "13:19:18.123  #12  git  depends on net (completed)")
        #expect(line(.waitBegan(unit: "git", unsatisfied: ["a", "b"])) == "13:19:18.123  #12  git  waits for [a, b]")
        #expect(
            line(.waitEnded(unit: "git", outcome: .dependencyFailed))
                == "13:19:18.123  #12  git  wait ended: dependency failed")
        #expect(
            Watch.text(SyncEvent(sequence: 1, time: time, kind: .registered(unit: "x")), offset: 3600).hasPrefix(
                "14:19:18.123"))
    }
}
