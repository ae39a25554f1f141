import Testing

@testable import SyncReadiness

/// The decisions about one service and their words: what the unit's failure says, how EXTEND_TIMEOUT_USEC moves
/// the deadline, and how an exit before or after ready ends it.
@Suite struct ReadinessTrackerTests {
    private let db = try! ReadinessCheck(parsing: "tcp:127.0.0.1:5432")
    private let minutes2: Int64 = 120_000_000

    @Test func readyWhenEveryCheckPassedWhateverTheOrder() {
        var tracker = ReadinessTracker(checks: [.notify, db], start: 1_000, timeout: minutes2)
        #expect(tracker.record(1, .notYet("connection refused"), now: 2_000) == nil)
        #expect(
            tracker.progress
                == ReadinessProgress(
                    checks: ["notify", "tcp:127.0.0.1:5432"], attempts: 1,
                    result: "connection refused"))
        #expect(tracker.record(1, .passed, now: 3_000) == nil)
        #expect(tracker.progress.checks == ["notify"])
        #expect(tracker.apply(.ready, now: 1_401_000) == .decided(.ready(after: 1_400_000)))
        #expect(tracker.isReady)
    }

    @Test func timeoutNamesTheFirstCheckNotPassedAndItsLastResult() {
        var tracker = ReadinessTracker(checks: [.notify, db], start: 0, timeout: minutes2)
        _ = tracker.apply(.ready, now: 10)
        _ = tracker.record(1, .notYet("no answer in time"), now: 20)
        _ = tracker.record(1, .notYet("connection refused"), now: 30)
        #expect(tracker.expire(now: minutes2 - 1) == nil)
        #expect(
            tracker.expire(now: minutes2) == .failed("not ready after 2m: tcp 127.0.0.1:5432: connection refused"))
        #expect(tracker.expire(now: minutes2 + 1) == nil)
    }

    @Test func aCheckWithoutResultsSaysWhatItWaitsFor() {
        var tracker = ReadinessTracker(checks: [.notify, .log(pattern: "up")], start: 0, timeout: 200_000)
        #expect(tracker.expire(now: 200_000) == .failed("not ready after 200ms: notify: no READY=1 received"))
        var log = ReadinessTracker(checks: [.log(pattern: "up")], start: 0, timeout: 1_000_000)
        #expect(log.expire(now: 1_000_000) == .failed("not ready after 1s: log up: no line matched"))
    }

    @Test func extendTimeoutMovesTheDeadlineToAtLeastNowPlusTheExtension() {
        var tracker = ReadinessTracker(checks: [.notify], start: 0, timeout: 1_000_000)
        #expect(tracker.apply(.extendTimeout(microseconds: 3_000_000), now: 500_000) == .none)
        #expect(tracker.deadline == 3_500_000)
        // A shorter extension never brings the deadline closer.
        _ = tracker.apply(.extendTimeout(microseconds: 10), now: 600_000)
        #expect(tracker.deadline == 3_500_000)
        #expect(tracker.expire(now: 1_000_000) == nil)
        #expect(tracker.expire(now: 3_500_000) == .failed("not ready after 3.5s: notify: no READY=1 received"))
    }

    @Test func extendTimeoutWithoutALimitKeepsNoLimit() {
        var tracker = ReadinessTracker(checks: [.notify], start: 0, timeout: nil)
        _ = tracker.apply(.extendTimeout(microseconds: 1), now: 5)
        #expect(tracker.deadline == nil)
        #expect(tracker.expire(now: .max) == nil)
    }

    @Test func errnoAndExitStatusFailTheUnitBeforeAndAfterReady() {
        var tracker = ReadinessTracker(checks: [.notify], start: 0, timeout: nil)
        #expect(
            tracker.apply(.errno(2), now: 1)
                == .decided(.failed("service reported ERRNO=2 (no such file or directory)")))
        var ready = ReadinessTracker(checks: [.notify], start: 0, timeout: nil)
        _ = ready.apply(.ready, now: 1)
        #expect(ready.apply(.exitStatus(3), now: 2) == .decided(.failed("service reported EXIT_STATUS=3")))
        #expect(ready.apply(.errno(2), now: 3) == .none)
    }

    @Test func statusIsANoteAndUnknownKeysAreIgnored() {
        var tracker = ReadinessTracker(checks: [.notify], start: 0, timeout: nil)
        #expect(tracker.apply(.status("migrating 3/10"), now: 1) == .note("migrating 3/10"))
        #expect(tracker.apply(.other(key: "X_CUSTOM", value: "1"), now: 1) == .none)
        #expect(tracker.apply(.mainPID(42), now: 1) == .none)
        #expect(tracker.outcome == nil)
    }

    @Test func exitingBeforeReadyFailsWhateverTheStatus() {
        var tracker = ReadinessTracker(checks: [db], start: 0, timeout: nil)
        #expect(tracker.serviceExited("exit 0", succeeded: true) == .failed("exited before ready: exit 0"))
        var signalled = ReadinessTracker(checks: [db], start: 0, timeout: nil)
        #expect(signalled.serviceExited("signal TERM", succeeded: false) == .failed("exited before ready: signal TERM"))
    }

    @Test func afterReadyOnlyAFailedExitFailsTheUnit() {
        var clean = ReadinessTracker(checks: [db], start: 0, timeout: nil)
        _ = clean.record(0, .passed, now: 1)
        #expect(clean.serviceExited("exit 0", succeeded: true) == nil)
        #expect(clean.isReady)
        var failing = ReadinessTracker(checks: [db], start: 0, timeout: nil)
        _ = failing.record(0, .passed, now: 1)
        #expect(failing.serviceExited("exit 3", succeeded: false) == .failed("exit 3 after ready"))
    }

    @Test func aServiceStoppedAfterItsTimeoutKeepsTheTimeoutAsItsReason() {
        var tracker = ReadinessTracker(checks: [db], start: 0, timeout: 1_000_000)
        _ = tracker.expire(now: 1_000_000)
        #expect(tracker.serviceExited("signal TERM", succeeded: false) == nil)
        #expect(tracker.outcome == .failed("not ready after 1s: tcp 127.0.0.1:5432: not probed yet"))
    }

    @Test func failureSubjectsNameTheCheck() throws {
        #expect(try ReadinessCheck(parsing: "tcp:5432").failureSubject == "tcp 127.0.0.1:5432")
        #expect(try ReadinessCheck(parsing: "cmd:pg_isready -q").failureSubject == "cmd pg_isready -q")
        #expect(try ReadinessCheck(parsing: "http://h:8080/up").failureSubject == "http://h:8080/up")
        #expect(ReadinessCheck.notify.failureSubject == "notify")
    }
}

extension ReadinessTrackerTests {
    @Test func aCmdAttemptCutOffAtTheDeadlineKeepsTheResultBefore() throws {
        let check = try ReadinessCheck(parsing: "cmd:pg_isready")
        var tracker = ReadinessTracker(checks: [check], start: 0, timeout: 1_000_000)
        _ = tracker.record(0, CommandProbe.cutOff, now: 10)
        _ = tracker.record(0, .notYet("exit 2"), now: 20)
        _ = tracker.record(0, CommandProbe.cutOff, now: 1_000_000)
        #expect(tracker.expire(now: 1_000_000) == .failed("not ready after 1s: cmd pg_isready: exit 2"))
        var hung = ReadinessTracker(checks: [check], start: 0, timeout: 1_000_000)
        _ = hung.record(0, CommandProbe.cutOff, now: 1_000_000)
        #expect(
            hung.expire(now: 1_000_000) == .failed("not ready after 1s: cmd pg_isready: still running at the deadline"))
    }
}
