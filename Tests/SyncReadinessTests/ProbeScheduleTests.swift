import Testing

@testable import SyncReadiness

@Suite struct ProbeScheduleTests {
    /// The times of the attempts when each probe takes `probeTime` µs, until the schedule says stop.
    private func times(_ schedule: ProbeSchedule, from start: Int64, probeTime: Int64 = 0, limit: Int = 100) -> [Int64]
    {
        var schedule = schedule
        var result: [Int64] = []
        var now = start
        while result.count < limit, let time = schedule.next(now: now) {
            result.append(time)
            now = time + probeTime
        }
        return result
    }

    @Test func networkStartsAtOnceAndDoublesToTheCap() {
        let schedule = ProbeSchedule.network(start: 1_000, timeout: nil)
        #expect(
            times(schedule, from: 1_000, limit: 8) == [1_000, 6_000, 16_000, 36_000, 61_000, 86_000, 111_000, 136_000])
    }

    @Test func commandCapsAtAQuarterSecond() {
        let gaps = zip(
            times(.command(start: 0, timeout: nil), from: 0, limit: 10).dropFirst(),
            times(.command(start: 0, timeout: nil), from: 0, limit: 10)
        ).map { $0 - $1 }
        #expect(gaps == [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 250_000, 250_000, 250_000])
    }

    @Test func delayCountsFromTheEndOfTheProbe() {
        let schedule = ProbeSchedule.network(start: 0, timeout: nil)
        #expect(times(schedule, from: 0, probeTime: 1_000, limit: 4) == [0, 6_000, 17_000, 38_000])
    }

    @Test func growthByOneAndAHalf() {
        let schedule = ProbeSchedule(start: 0, timeout: nil, firstDelay: 4_000, growth: 1.5, cap: 10_000)
        #expect(times(schedule, from: 0, limit: 6) == [0, 4_000, 10_000, 19_000, 29_000, 39_000])
    }

    @Test func lastAttemptIsAtTheDeadlineThenItStops() {
        var schedule = ProbeSchedule.network(start: 0, timeout: 30_000)
        #expect(times(schedule, from: 0) == [0, 5_000, 15_000, 30_000])
        #expect(schedule.next(now: 0) == 0)
        #expect(schedule.next(now: 31_000) == nil)
        #expect(schedule.attempts == 1)
    }

    @Test func zeroTimeoutStillProbesOnce() {
        #expect(times(.network(start: 7, timeout: 0), from: 7) == [7])
    }

    @Test func extendingTheDeadlineResumes() {
        var schedule = ProbeSchedule.network(start: 0, timeout: 5_000)
        #expect(schedule.next(now: 0) == 0)
        #expect(schedule.next(now: 0) == 5_000)
        #expect(schedule.next(now: 5_000) == nil)
        schedule.setDeadline(100_000)
        #expect(schedule.next(now: 5_000) == 15_000)
        #expect(schedule.attempts == 3)
    }

    @Test func attemptBudgetEndsByTheDeadline() {
        let schedule = ProbeSchedule.network(start: 0, timeout: 100_000)
        #expect(schedule.attemptBudget(now: 0, limit: 250_000) == 100_000)
        #expect(schedule.attemptBudget(now: 99_000, limit: 250_000) == 1_000)
        #expect(schedule.attemptBudget(now: 200_000, limit: 250_000) == 0)
        #expect(ProbeSchedule.network(start: 0, timeout: nil).attemptBudget(now: 5, limit: 7) == 7)
    }

    /// The figures the doc states: a port opening within the first 5 ms is seen within 5 ms; later within 25 ms;
    /// a closed port is probed about 40 times a second once at the cap.
    @Test func worstCaseLatencyAndRate() {
        let attempts = times(.network(start: 0, timeout: 10_000_000), from: 0, limit: 1_000)
        let gaps = zip(attempts.dropFirst(), attempts).map { $0 - $1 }
        #expect(gaps.max() == 25_000)
        #expect(gaps.first == 5_000)
        #expect(attempts.filter { $0 >= 1_000_000 && $0 < 2_000_000 }.count == 40)
    }

    /// `--probe-max`: the same ramp from 5 ms, up to the given pause instead of the kind's own.
    @Test func aCapFromTheCommandLineReplacesTheKindsOwn() {
        let slow = times(
            ReadinessCheck.tcp(host: "127.0.0.1", port: 1).defaultSchedule(
                start: 0, timeout: 10_000_000, cap: 200_000), from: 0, limit: 1_000)
        let gaps = zip(slow.dropFirst(), slow).map { $0 - $1 }
        #expect(gaps.first == 5_000)
        #expect(gaps.max() == 200_000)
        let fast = ReadinessCheck.command("true").defaultSchedule(start: 0, timeout: nil, cap: 2_000)
        #expect(fast.firstDelay == 2_000 && fast.cap == 2_000)
        #expect(ReadinessCheck.command("true").defaultSchedule(start: 0, timeout: nil).cap == 250_000)
    }
}
