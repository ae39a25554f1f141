import Testing

@testable import SyncCore

/// The events and resolutions of one `complete` that releases many parked starts, exactly: the release reads each
/// released unit once and records its status change directly, and must record what `setStatus` recorded.
struct ReleaseEventsTests {
    @Test func aReleaseOfManyWaitersRecordsEachStartAsSetStatusDid() throws {
        var graph = fixedGraph()
        try graph.startNow("root")
        let names = ["w-2", "w-10", "w-1", "é", "w-0"]
        for name in names { try graph.want(name, dependsOn: "root") }
        // Each unit's start parked with a token, the last unit with two starts (the second loses to the first).
        for (index, name) in names.enumerated() {
            let outcome = try graph.start(name, wait: WaitID(UInt64(index + 1)), token: "t\(index)")
            #expect(outcome.parkedLists?.unsatisfied == ["root"])
        }
        _ = try graph.start("w-0", wait: WaitID(99), token: "late")
        _ = graph.drainEvents()
        _ = graph.drainResolutions()

        try graph.complete("root")

        // Released in byte order of the names; each: its wait ended, then pending -> started by its token.
        let order = names.enumerated().sorted { bytewise($0.element, $1.element) }
        var expected: [SyncEvent.Kind] = [
            .statusChanged(unit: "root", from: .started, to: .completed, reason: nil, cause: nil)
        ]
        var resolutions: [WaitResolution] = []
        for (index, name) in order {
            expected.append(.waitEnded(unit: name, outcome: .started))
            expected.append(
                .statusChanged(unit: name, from: .pending, to: .started, reason: nil, cause: nil, by: "t\(index)"))
            let info = StartInfo(unit: name, dependencies: ["root"], unsatisfiedAtStart: ["root"], waited: true)
            resolutions.append(WaitResolution(id: WaitID(UInt64(index + 1)), result: .success(.started(info))))
            if name == "w-0" {
                expected.append(.waitEnded(unit: name, outcome: .refused))
                let message = #"cannot start unit "w-0": checking status for unit "w-0": same status already set"#
                resolutions.append(WaitResolution(id: WaitID(99), result: .failure(SyncError(.sameStatus, message))))
            }
        }
        #expect(graph.drainKinds() == expected)
        #expect(graph.drainResolutions() == resolutions)
        for (index, name) in names.enumerated() {
            #expect(graph.info(name)?.status == .started)
            #expect(graph.info(name)?.startedBy == "t\(index)")
            #expect(graph.info(name)?.waiters == 0)
        }
    }
}
