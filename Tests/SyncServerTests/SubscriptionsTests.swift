import Testing

@testable import SyncServer

/// The subscription list and its two decisions, without a connection.
@Suite("Subscriptions")
struct SubscriptionsTests {
    private func ring(_ sequences: ClosedRange<UInt64>, capacity: Int = 10) -> EventRing {
        var ring = EventRing(capacity: capacity)
        for sequence in sequences { ring.append(EncodedEvent(sequence: sequence, json: "{\"seq\":\(sequence)}")) }
        return ring
    }

    @Test func keepsTheOrderOfSubscribingAndForgetsWhatEnds() {
        var subscriptions = Subscriptions()
        subscriptions.add(connection: 1, requestID: 5)
        subscriptions.add(connection: 2, requestID: 5)
        subscriptions.add(connection: 1, requestID: 6)
        subscriptions.remove(connection: 1, requestID: 5)
        #expect(subscriptions.all.map(\.connection) == [2, 1])
        subscriptions.removeAll(of: 1)
        #expect(subscriptions.all == [.init(connection: 2, requestID: 5)])
        #expect(subscriptions.takeAll().count == 1)
        #expect(subscriptions.isEmpty)
    }

    @Test func slowSubscribersAreSetApartAndGoneOnesSkipped() {
        var subscriptions = Subscriptions()
        for connection: UInt64 in 1...4 { subscriptions.add(connection: connection, requestID: 1) }
        let (live, slow) = subscriptions.fanOut { connection in
            switch connection {
            case 2: return false
            case 3: return nil
            default: return true
            }
        }
        #expect(live.map(\.connection) == [1, 4])
        #expect(slow.map(\.connection) == [2])
    }

    @Test func resumesFromTheRingWithinTheSameInstance() {
        let ring = ring(1...8)
        let missed = Subscriptions.resumption(since: 5, instance: "a", agentInstance: "a", ring: ring, latest: 8)
        #expect(missed?.map(\.sequence) == [6, 7, 8])
        let unknown = Subscriptions.resumption(since: 8, instance: nil, agentInstance: "a", ring: ring, latest: 8)
        #expect(unknown?.isEmpty == true, "up to date: nothing to resend")
    }

    @Test func anotherInstanceNoSinceOrAGapGetsASnapshot() {
        let ring = ring(11...20, capacity: 10)
        #expect(Subscriptions.resumption(since: 12, instance: "b", agentInstance: "a", ring: ring, latest: 20) == nil)
        #expect(Subscriptions.resumption(since: nil, instance: "a", agentInstance: "a", ring: ring, latest: 20) == nil)
        #expect(Subscriptions.resumption(since: 5, instance: "a", agentInstance: "a", ring: ring, latest: 20) == nil)
        #expect(Subscriptions.resumption(since: 25, instance: "a", agentInstance: "a", ring: ring, latest: 20) == nil)
    }
}
