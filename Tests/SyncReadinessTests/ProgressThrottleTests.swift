import Testing

@testable import SyncReadiness

/// Progress reaches the agent summarised: the first report at once, changes of result or checks at most every
/// 250 ms, attempts alone at most every second, and a report held back is handed out when due, never lost.
@Suite struct ProgressThrottleTests {
    private func progress(_ attempts: Int, _ result: String? = "connection refused", checks: [String] = ["tcp:1"])
        -> ReadinessProgress
    {
        ReadinessProgress(checks: checks, attempts: attempts, result: result)
    }

    @Test func theFirstReportGoesAtOnce() {
        var throttle = ProgressThrottle()
        #expect(throttle.offer(progress(1), now: 0) == progress(1))
        #expect(throttle.due == nil)
    }

    @Test func moreAttemptsAloneWaitASecondAndOnlyTheLatestIsSent() {
        var throttle = ProgressThrottle()
        _ = throttle.offer(progress(1), now: 0)
        #expect(throttle.offer(progress(2), now: 5_000) == nil)
        #expect(throttle.offer(progress(40), now: 999_999) == nil)
        #expect(throttle.due == 1_000_000)
        #expect(throttle.flush(now: 999_999) == nil)
        #expect(throttle.flush(now: 1_000_000) == progress(40))
        #expect(throttle.due == nil)
        #expect(throttle.flush(now: 5_000_000) == nil)
    }

    @Test func aNewResultWaitsOnlyAQuarterSecond() {
        var throttle = ProgressThrottle()
        _ = throttle.offer(progress(1), now: 0)
        #expect(throttle.offer(progress(2, "HTTP 503"), now: 100_000) == nil)
        #expect(throttle.due == 250_000)
        #expect(throttle.offer(progress(3, "HTTP 503"), now: 250_000) == progress(3, "HTTP 503"))
    }

    @Test func aCheckThatPassedCountsAsAChange() {
        var throttle = ProgressThrottle()
        _ = throttle.offer(progress(1, checks: ["notify", "tcp:1"]), now: 0)
        #expect(throttle.offer(progress(1, checks: ["tcp:1"]), now: 300_000) == progress(1, checks: ["tcp:1"]))
    }

    @Test func theSameProgressIsNotSentTwiceAndDropsWhatWasHeld() {
        var throttle = ProgressThrottle()
        _ = throttle.offer(progress(1), now: 0)
        #expect(throttle.offer(progress(1), now: 2_000_000) == nil)
        #expect(throttle.offer(progress(2), now: 2_000_001) == progress(2))
        #expect(throttle.offer(progress(3), now: 2_000_002) == nil)
        #expect(throttle.due == 3_000_001)
        #expect(throttle.offer(progress(2), now: 2_000_003) == nil)
        #expect(throttle.due == nil)
    }

    /// A probe every 25 ms for a minute: about one report a second, not one per probe.
    @Test func aMinuteOfProbesGivesAboutSixtyReports() {
        var throttle = ProgressThrottle()
        var sent = 0
        for attempt in 1...2400 where throttle.offer(progress(attempt), now: Int64(attempt) * 25_000) != nil {
            sent += 1
        }
        #expect((59...61).contains(sent))
    }
}
