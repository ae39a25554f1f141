import SyncOS
import SyncProtocol
import Testing

@testable import SyncCtl

/// doctor's report as text and JSON, and the pieces it reads, without an agent.
@Suite struct DoctorReportTests {
    static let report = DoctorReport(checks: [
        DoctorCheck("socket", .ok, "/s, given with --socket-path", facts: [("path", "/s")]),
        DoctorCheck("agent", .problem, "no agent answers", fix: "start one", facts: [("answers", .bool(false))]),
        DoctorCheck("autostart", .note, "off (--no-autostart)", facts: []),
    ])

    @Test func textHasOneLinePerCheckTheFixesAndTheCount() {
        #expect(
            Self.report.text == """
                ok       socket     /s, given with --socket-path
                problem  agent      no agent answers
                                    fix: start one
                note     autostart  off (--no-autostart)

                1 problem found: see fix above.
                """)
        #expect(!Self.report.isHealthy)
        #expect(DoctorReport(checks: [Self.report.checks[0]]).text.hasSuffix("\n\nNo problems found."))
    }

    @Test func jsonHasTheSameChecksWithFiveKeysEach() throws {
        let json = try JSON.parse(Self.report.json.compact)
        #expect(json["healthy"] == .bool(false))
        let checks = try #require(json["checks"].flatMap { if case .array(let items) = $0 { items } else { nil } })
        #expect(checks.map { $0["name"] } == [.string("socket"), .string("agent"), .string("autostart")])
        #expect(checks[1]["fix"] == .string("start one"))
        #expect(checks[0]["fix"] == .null)
        #expect(checks[1]["facts"]?["answers"] == .bool(false))
    }

    @Test(
        arguments: [
            (nil, false, nil), ("0", false, "SYNC_AGENT_AUTOSTART=0"), ("off", false, "SYNC_AGENT_AUTOSTART=off"),
            ("FALSE", false, "SYNC_AGENT_AUTOSTART=FALSE"), ("1", false, nil), ("", false, nil),
            (nil, true, "--no-autostart"),
        ] as [(String?, Bool, String?)])
    func autostartIsOffByTheFlagOrTheVariable(value: String?, flag: Bool, off: String?) {
        let autostart = AgentAutostart(socket: SocketPath(path: "/s", source: .flag), turnedOffByFlag: flag)
        #expect(autostart.turnedOffBy { $0 == "SYNC_AGENT_AUTOSTART" ? value : nil } == off)
    }

    @Test func theAgentsCommandLineGivesItsJournalAndLimits() {
        let process = AgentProcessInfo(
            arguments: ["sync-agent", "--state-file", "state/j", "--max-units=50", "--max-subscribers", "3"],
            workingDirectory: "/home/u", openFilesLimit: "1024")
        #expect(process.option("--state-file") == "state/j")
        #expect(process.absolute("state/j") == "/home/u/state/j")
        #expect(process.limitOptions.map { "\($0.0) \($0.1)" } == ["--max-units 50", "--max-subscribers 3"])
        let journal = DoctorReport.journalPath(SocketPath(path: "/run/s.sock", source: .flag), process: process)
        #expect(journal.path == "/home/u/state/j")
        let ephemeral = AgentProcessInfo(
            arguments: ["sync-agent", "--ephemeral"], workingDirectory: nil, openFilesLimit: nil)
        #expect(
            DoctorReport.journalPath(SocketPath(path: "/run/s.sock", source: .flag), process: ephemeral).path == nil)
        #expect(
            DoctorReport.journalPath(SocketPath(path: "/run/s.sock", source: .flag), process: nil).path
                == "/run/s.journal")
        #expect(
            AgentProcessInfo.openFiles("Max open files            20000                20000                files\n")
                == "20000")
    }

    @Test func byteCounts() {
        #expect(DoctorReport.byteCount(602) == "602 bytes")
        #expect(DoctorReport.byteCount(1_048_576) == "1 MiB")
        #expect(DoctorReport.byteCount(12_700) == "12.4 KiB")
    }
}
