import Glibc
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// While the journal cannot be written, the agent refuses exactly the requests whose type says they change state
/// (``Request/Body/changesState``) and serves every other one.
@Suite("Journal refusals by request type")
struct JournalRefusalTests {
    /// One request of every type, against a graph where `a` is completed and `b` waits on `a`.
    static let samples: [Request.Body] = [
        .hello(version: ProtocolVersion.current, client: "again"), .ping, .want(unit: "c", dependsOn: ["a"]),
        .start(unit: "c", wait: true, timeoutMs: nil), .start(unit: "a", wait: false, timeoutMs: nil),
        .complete(unit: "b"), .fail(unit: "b", reason: "x"), .note(unit: "a", text: "x"),
        .readiness(unit: "a", report: ReadinessReport(checks: ["tcp:5432"], attempts: 1, result: nil)),
        .status(unit: "a"),
        .list,
        .wait(units: ["a"], all: false, timeoutMs: nil), .wait(units: [], all: true, timeoutMs: 1),
        .cancel(request: 999), .snapshot, .subscribe(since: nil, instance: nil), .history,
    ]

    @Test func theSamplesCoverEveryRequestType() {
        #expect(Set(Self.samples.map(\.type)) == Set(Request.Body.knownTypes))
    }

    @Test(arguments: [
        (Request.Body.want(unit: "u", dependsOn: ["d"]), true), (.start(unit: "u", wait: true, timeoutMs: nil), true),
        (.start(unit: "u", wait: false, timeoutMs: 5), true), (.complete(unit: "u"), true),
        (.fail(unit: "u", reason: nil), true), (.note(unit: "u", text: ""), true),
        (.readiness(unit: "u", report: ReadinessReport(checks: [], attempts: 0, result: nil)), true),
        (.hello(version: 1, client: nil), false), (.ping, false),
        (.status(unit: "u"), false), (.list, false), (.wait(units: ["u"], all: false, timeoutMs: nil), false),
        (.cancel(request: 1), false), (.snapshot, false), (.subscribe(since: 0, instance: nil), false),
        (.history, false),
    ])
    func whetherARequestChangesState(body: Request.Body, changes: Bool) {
        #expect(body.changesState == changes)
    }

    @Test func everyChangeIsRefusedAndEveryReadServedWhileTheJournalFails() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let agent = try await InProcessAgent.start(
            in: directory, journal: directory.file("agent.journal"),
            configure: { $0.journalRetryInterval = .seconds(3600) })
        let client = try await agent.client()
        _ = try await client.start("a")
        try await client.complete("a")
        try await client.want("b", dependsOn: ["a"])
        try await #require(agent.server.journal).injectFailures(ENOSPC, count: 1)
        // The failing write: a change is undone, and from then on changes are refused up front.
        await #expect(throws: WireError.self) { try await client.want("z", dependsOn: ["a"]) }
        client.close()

        for (index, body) in Self.samples.enumerated() {
            let raw = try RawConnection(path: directory.socket)
            defer { raw.close() }
            try await raw.hello()
            let frame = try #require(try await raw.request(Request(id: Int64(index + 1), body).json.compact))
            if body.changesState {
                #expect(frame.errorCode == "journal_unavailable", "\(body.type): \(frame.compact)")
            } else {
                #expect(frame.errorCode != "journal_unavailable", "\(body.type): \(frame.compact)")
                #expect(
                    frame["ok"] == .bool(true) || frame["push"] != nil || frame.errorCode == "unknown_request",
                    "\(body.type): \(frame.compact)")
            }
        }
        await agent.stop()
    }
}
