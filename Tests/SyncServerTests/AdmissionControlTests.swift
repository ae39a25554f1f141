import SyncProtocol
import Testing

@testable import SyncServer

/// Admission and limits as plain arithmetic: who is served, and which count refuses what.
@Suite("Admission control")
struct AdmissionControlTests {
    private let me = PeerCredentials(pid: 10, uid: 1000, gid: 1000)
    private let stranger = PeerCredentials(pid: 11, uid: 2000, gid: 2000)

    private func admission(_ limits: AgentLimits = AgentLimits()) -> AdmissionControl {
        AdmissionControl(limits: limits, allowedPeerUIDs: [1000, 0])
    }

    @Test func servesAllowedUsersUpToTheConnectionLimit() {
        var admission = admission(AgentLimits(connections: 2))
        #expect(admission.admit(me) == .admitted)
        #expect(admission.admit(me) == .admitted)
        #expect(admission.admit(me) == .overLimit(times: 1))
        #expect(admission.admit(me) == .overLimit(times: 2))
        #expect(admission.admitted == 2)
        admission.closed()
        #expect(admission.admit(me) == .admitted, "a closed connection frees its place")
        let message = admission.refusal(.overLimit(times: 1))?.message ?? ""
        #expect(message.contains("at most 2 at once") && message.contains("--max-connections"), "\(message)")
    }

    @Test func refusesOtherUsersAndUnknownPeersWithoutTakingAPlace() {
        var admission = admission(AgentLimits(connections: 1))
        #expect(admission.admit(stranger) == .stranger(uid: 2000, times: 1))
        #expect(admission.admit(stranger) == .stranger(uid: 2000, times: 2))
        #expect(admission.admit(nil) == .unknownPeer)
        #expect(admission.admitted == 0)
        #expect(admission.admit(me) == .admitted)
        let refusal = admission.refusal(.stranger(uid: 2000, times: 1))
        #expect(refusal?.code == .permissionDenied)
        #expect(refusal?.message.contains("serves uid 0 and 1000 only, and you are uid 2000") == true)
        #expect(admission.refusal(.admitted) == nil)
    }

    @Test func repeatsAreLoggedAtPowersOfTen() {
        let logged = (1...1000).filter(AdmissionControl.isWorthLogging)
        #expect(logged == [1, 10, 100, 1000])
    }

    @Test func eachCountRefusesAtItsLimit() {
        let admission = admission(
            AgentLimits(units: 3, edgesPerUnit: 4, inFlightPerConnection: 2, parkedWaits: 5, subscribers: 1))
        #expect(admission.unitRefusal("a", registered: false, units: 2) == nil)
        #expect(admission.unitRefusal("a", registered: true, units: 3) == nil, "a known unit is not one more")
        #expect(admission.unitRefusal("a", registered: false, units: 3)?.message.contains("--max-units") == true)
        #expect(admission.edgeRefusal("a", existing: 2, added: 2) == nil)
        #expect(admission.edgeRefusal("a", existing: 2, added: 3)?.message.contains("has 2 and would get 3") == true)
        #expect(admission.parkRefusal(inFlight: 1, parked: 4) == nil)
        #expect(admission.parkRefusal(inFlight: 1, parked: 5)?.message.contains("--max-parked-waits") == true)
        #expect(admission.subscriberRefusal(inFlight: 0, subscribers: 0) == nil)
        #expect(admission.subscriberRefusal(inFlight: 0, subscribers: 1)?.message.contains("--max-subscribers") == true)
        // The connection's own limit is checked first, for parked waits and subscriptions alike.
        for refusal in [
            admission.parkRefusal(inFlight: 2, parked: 5), admission.subscriberRefusal(inFlight: 2, subscribers: 1),
        ] {
            #expect(refusal?.code == .limitExceeded)
            #expect(refusal?.message.contains("--max-requests-per-connection") == true, "\(refusal?.message ?? "")")
        }
        #expect(admission.tooLong("token", String(repeating: "x", count: 5), limit: 5) == nil)
        #expect(
            admission.tooLong("token", String(repeating: "x", count: 6), limit: 5)?.message
                == "token is 6 bytes long; at most 5 are allowed")
    }
}
