import Foundation
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// The journal loader accepts only what the protocol could have produced: valid names, sequence numbers that only
/// grow, status changes of registered units, no cycle. Anything else is refused like corrupt JSON: file, line,
/// what is wrong, what to do, and the file left untouched.
@Suite("Journal validation")
struct JournalValidationTests {
    private let clock: UnitGraph.Clock = { Timestamp(microseconds: 1_000) }

    private static func event(_ sequence: UInt64, _ kind: SyncEvent.Kind) -> String {
        SyncEvent(sequence: sequence, time: Timestamp(microseconds: Int64(sequence)), kind: kind).json.compact
    }

    private static let header = JournalReader.header(instance: "abc")
    private static let long = String(repeating: "x", count: 256)

    /// A bad journal, the line that is wrong, and words the message must contain.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var lines: [String]
        var line: Int
        var problem: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "newline in a name",
            lines: [header, event(1, .registered(unit: "a\nb"))], line: 2,
            problem: "contains control character U+000A"),
        Case(
            name: "name over 255 bytes",
            lines: [header, event(1, .registered(unit: long))], line: 2, problem: "is 256 bytes long"),
        Case(
            name: "empty dependency name",
            lines: [
                header, event(1, .registered(unit: "a")),
                event(2, .dependencyAdded(unit: "a", dependsOn: "", required: .completed)),
            ], line: 3, problem: "unit name is required"),
        Case(
            name: "control character in a waiting unit",
            lines: [
                header, event(1, .registered(unit: "a")),
                event(2, .waitBegan(unit: "a", unsatisfied: ["b\u{7}"])),
            ], line: 3, problem: "contains control character U+0007"),
        Case(
            name: "duplicated sequence number",
            lines: [header, event(1, .registered(unit: "a")), event(1, .registered(unit: "b"))], line: 3,
            problem: "event 1 comes after event 1"),
        Case(
            name: "sequence going back",
            lines: [
                header, event(1, .registered(unit: "a")), event(2, .registered(unit: "b")),
                event(1, .registered(unit: "c")),
            ], line: 4, problem: "event 1 comes after event 2"),
        Case(
            name: "status change of an unknown unit",
            lines: [
                header, event(1, .registered(unit: "a")),
                event(2, .statusChanged(unit: "ghost", from: .pending, to: .started, reason: nil, cause: nil)),
            ], line: 3, problem: #"changes the status of "ghost", which is not registered"#),
        Case(
            name: "note of an unknown unit",
            lines: [header, event(1, .registered(unit: "a")), event(2, .noted(unit: "ghost", note: "x"))], line: 3,
            problem: #"sets the note of "ghost", which is not registered"#),
        Case(
            name: "readiness of an unknown unit",
            lines: [
                header, event(1, .registered(unit: "a")),
                event(2, .readiness(unit: "ghost", ReadinessReport(checks: [], attempts: 1, result: nil))),
            ], line: 3, problem: #"reports the readiness of "ghost", which is not registered"#),
        Case(
            name: "readiness of a pending unit",
            lines: [
                header, event(1, .registered(unit: "a")),
                event(2, .readiness(unit: "a", ReadinessReport(checks: ["tcp:1"], attempts: 1, result: nil))),
            ], line: 3, problem: #"reports the readiness of "a", which is pending"#),
        Case(
            name: "dependency of an unknown unit",
            lines: [header, event(1, .dependencyAdded(unit: "ghost", dependsOn: "a", required: .completed))],
            line: 2, problem: #"adds a dependency to "ghost", which is not registered"#),
        Case(
            name: "unit registered twice",
            lines: [header, event(1, .registered(unit: "a")), event(2, .registered(unit: "a"))], line: 3,
            problem: #"registers "a" again"#),
        Case(
            name: "cycle",
            lines: [
                header, event(1, .registered(unit: "a")), event(2, .registered(unit: "b")),
                event(3, .dependencyAdded(unit: "a", dependsOn: "b", required: .completed)),
                event(4, .dependencyAdded(unit: "b", dependsOn: "a", required: .completed)),
                event(5, .registered(unit: "c")),
            ], line: 5, problem: "closes a dependency cycle"),
        Case(
            name: "self dependency",
            lines: [
                header, event(1, .registered(unit: "a")),
                event(2, .dependencyAdded(unit: "a", dependsOn: "a", required: .completed)),
            ], line: 3, problem: "closes a dependency cycle a -> a"),
        Case(
            name: "snapshot with a bad name",
            lines: [
                header,
                JSON.object([
                    ("snapshot", GraphSnapshot(sequence: 1, units: [unit("a\nb")], edges: []).json)
                ]).compact,
            ], line: 2, problem: "contains control character U+000A"),
        Case(
            name: "snapshot with a cycle",
            lines: [
                header,
                JSON.object([
                    (
                        "snapshot",
                        GraphSnapshot(
                            sequence: 4, units: [unit("a"), unit("b")],
                            edges: [
                                DependencyEdge(unit: "a", dependsOn: "b"), DependencyEdge(unit: "b", dependsOn: "a"),
                            ]
                        ).json
                    )
                ]).compact,
            ], line: 2, problem: "closes a dependency cycle"),
        Case(
            name: "history after a snapshot going back",
            lines: [
                header,
                JSON.object([("snapshot", GraphSnapshot(sequence: 2, units: [unit("a"), unit("b")], edges: []).json)])
                    .compact,
                event(2, .registered(unit: "b")), event(1, .registered(unit: "a")),
            ], line: 4, problem: "event 1 comes after event 2"),
        Case(
            name: "a second snapshot",
            lines: [
                header, event(1, .registered(unit: "a")),
                JSON.object([("snapshot", GraphSnapshot(sequence: 1, units: [unit("a")], edges: []).json)]).compact,
                event(2, .registered(unit: "b")),
            ], line: 3, problem: "a snapshot may only follow the header"),
    ]

    private static func unit(_ name: String) -> UnitInfo {
        UnitInfo(
            name: name, status: .pending, isReady: true, registeredAt: Timestamp(microseconds: 1),
            since: Timestamp(microseconds: 1), reason: nil, cause: nil, waiters: 0)
    }

    @Test(arguments: cases)
    func aJournalTheProtocolCouldNotHaveWrittenIsRefused(_ bad: Case) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("j")
        // A good line after the bad one (a bad last line must not pass for a torn write), continuing the numbers.
        let sequences = bad.lines.dropFirst().compactMap { line -> UInt64? in
            guard let json = try? JSON.parse(Array(line.utf8)) else { return nil }
            if let snapshot = json["snapshot"] { return GraphSnapshot(json: snapshot)?.sequence }
            return SyncEvent(json: json)?.sequence
        }
        let text =
            (bad.lines + [Self.event((sequences.max() ?? 0) + 1, .registered(unit: "z"))])
            .joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let error = #expect(throws: Journal.Failure.self) { _ = try Journal.open(path: path, clock: clock) }
        let message = error?.description ?? ""
        #expect(message.contains("journal \(path) is corrupt at line \(bad.line): "), "\(message)")
        #expect(message.contains(bad.problem), "\(message)")
        #expect(message.contains("The file was left untouched; move it away"), "\(message)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func aJournalTheAgentWroteStillLoads() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let journal = directory.file("agent.journal")
        let agent = try await InProcessAgent.start(
            in: directory, journal: journal, configure: { $0.compactAfterLines = 40 })
        let client = try await agent.client()
        for round in 0..<10 {
            try await client.want("app\(round)", dependsOn: ["db", "cache\(round)"])
            _ = try await client.start("cache\(round)")
            if round % 3 == 0 {
                try await client.fail("cache\(round)", reason: "exit 1")
            } else {
                try await client.complete("cache\(round)")
            }
        }
        let before = try await client.snapshot()
        client.close()
        await agent.stopKeepingFiles()
        let restarted = try await InProcessAgent.start(in: directory, journal: journal)
        let again = try await restarted.client()
        #expect(try await again.snapshot() == before)
        again.close()
        await restarted.stop()
    }
}
