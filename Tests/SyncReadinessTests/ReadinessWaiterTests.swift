import Testing

@testable import SyncReadiness

/// Checks run in order against one deadline; the first that does not pass in time is named with its last result.
@Suite struct ReadinessWaiterTests {
    @Test func everyCheckPassingIsReady() throws {
        let checks = [try ReadinessCheck(parsing: "cmd:true"), try ReadinessCheck(parsing: "file:/")]
        guard case .ready(let attempts) = ReadinessWaiter.wait(for: checks, timeout: 60_000_000) else {
            Issue.record("not ready")
            return
        }
        #expect(attempts == 2)
    }

    @Test func theFirstCheckNotPassingInTimeIsNamedWithItsLastResult() throws {
        let checks = [try ReadinessCheck(parsing: "cmd:true"), try ReadinessCheck(parsing: "cmd:exit 3")]
        // Long enough for `true` and one run of `exit 3` on a loaded machine; a later run cut off at the deadline
        // keeps the earlier result.
        let outcome = ReadinessWaiter.wait(for: checks, timeout: 2_000_000)
        #expect(outcome == .notReady(check: checks[1], reason: "exit 3"))
    }

    @Test func aMissingFileIsNotReadyAtTheDeadline() throws {
        let check = try ReadinessCheck(parsing: "file:/nonexistent-\(UInt64.random(in: 0 ... .max))/ready")
        #expect(
            ReadinessWaiter.wait(for: [check], timeout: 10_000) == .notReady(check: check, reason: "does not exist yet")
        )
    }

    @Test func notifyAndLogNeedTheServicesProcess() throws {
        let tcp = try ReadinessCheck(parsing: "tcp:5432")
        #expect(ReadinessWaiter.unsupported([tcp]) == nil)
        #expect(ReadinessWaiter.unsupported([tcp, .notify]) == .notify)
        let log = try ReadinessCheck(parsing: "log:ready")
        #expect(ReadinessWaiter.unsupported([log, tcp]) == log)
    }
}
