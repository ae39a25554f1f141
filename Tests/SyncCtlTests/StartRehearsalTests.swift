import SyncProtocol
import Testing

@testable import SyncCtl

/// A parked `start` rehearses its release on a made-up answer; the rehearsal goes through the real decoding and
/// gives the line the real release prints.
@Suite struct StartRehearsalTests {
    @Test func theRehearsalDecodesAMadeUpReplyIntoTheLineOfTheRelease() {
        let waiting = StartWaiting(unit: "claude", dependencies: ["git", "npm"], unsatisfied: ["git"])
        #expect(
            Start.rehearseRelease("claude", waiting) == #"Unit "claude" finished waiting for dependencies: [git]"#)
    }

    @Test func namesThatNeedQuotingSurviveTheRoundTrip() {
        let waiting = StartWaiting(unit: "a \"b\"", dependencies: ["é"], unsatisfied: ["é"])
        #expect(Start.rehearseRelease("a \"b\"", waiting) == #"Unit "a \"b\"" finished waiting for dependencies: [é]"#)
    }
}
