import NIOCore
import NIOEmbedded
import SyncCore
import Testing

@testable import SyncServer

/// Parked waits on a virtual clock: timers fire at their deadline, never after the request left.
@Suite("Parked waits")
struct ParkedWaitsTests {
    private func request(_ id: Int64, timeout: Bool = false) -> ParkedRequest {
        ParkedRequest(
            connection: 1, requestID: id, kind: .start(unit: "u\(id)", token: nil), deadline: nil,
            parkedAt: 0)
    }

    /// Collects the wait ids whose timeout expired.
    private final class Expiries {
        var ids: [WaitID] = []
    }

    private func makeWaits(on loop: EmbeddedEventLoop) -> (ParkedWaits, Expiries) {
        let expiries = Expiries()
        var waits = ParkedWaits(loop: loop)
        waits.onExpiry = { expiries.ids.append($0) }
        return (waits, expiries)
    }

    @Test func idsAreNeverHandedOutTwice() {
        var (waits, _) = makeWaits(on: EmbeddedEventLoop())
        let ids = (0..<5).map { _ in waits.makeID() }
        #expect(Set(ids).count == 5)
        #expect(ids == ids.sorted())
    }

    @Test func aTimeoutExpiresAtItsDeadlineAndNotBefore() {
        let loop = EmbeddedEventLoop()
        var (waits, expiries) = makeWaits(on: loop)
        let id = waits.makeID()
        waits.park(id, request(1), timeoutMs: 100)
        loop.advanceTime(by: .milliseconds(99))
        #expect(expiries.ids.isEmpty)
        #expect(waits[id]?.deadline != nil)
        loop.advanceTime(by: .milliseconds(1))
        #expect(expiries.ids == [id])
        // The expiry only says so: the agent takes the request out itself.
        #expect(waits.count == 1)
        #expect(waits.release(id)?.requestID == 1)
        #expect(waits.isEmpty)
    }

    @Test func noTimeoutWaitsForEver() {
        let loop = EmbeddedEventLoop()
        var (waits, expiries) = makeWaits(on: loop)
        waits.park(waits.makeID(), request(1), timeoutMs: nil)
        waits.park(waits.makeID(), request(2), timeoutMs: 0)
        loop.advanceTime(by: .hours(24))
        #expect(expiries.ids.isEmpty)
        #expect(waits.count == 2)
    }

    @Test func aReleasedRequestNeverExpires() {
        let loop = EmbeddedEventLoop()
        var (waits, expiries) = makeWaits(on: loop)
        let id = waits.makeID()
        waits.park(id, request(1), timeoutMs: 10)
        #expect(waits.release(id) != nil)
        #expect(waits.release(id) == nil, "a request leaves once")
        loop.advanceTime(by: .seconds(1))
        #expect(expiries.ids.isEmpty)
    }

    @Test func takeAllIsOldestFirstAndStopsEveryTimer() {
        let loop = EmbeddedEventLoop()
        var (waits, expiries) = makeWaits(on: loop)
        let ids = (1...3).map { _ in waits.makeID() }
        for (index, id) in ids.reversed().enumerated() { waits.park(id, request(Int64(index)), timeoutMs: 10) }
        let taken = waits.takeAll()
        #expect(taken.map(\.id) == ids)
        #expect(waits.isEmpty)
        loop.advanceTime(by: .seconds(1))
        #expect(expiries.ids.isEmpty)
    }

    @Test func detachedRequestsKeepTheirTimersUnlessRearmed() {
        let loop = EmbeddedEventLoop()
        var (waits, expiries) = makeWaits(on: loop)
        let kept = waits.makeID()
        let rearmed = waits.makeID()
        waits.park(kept, request(1), timeoutMs: 100)
        waits.park(rearmed, request(2), timeoutMs: 100)
        let detached = waits.detachAll()
        #expect(waits.isEmpty)
        #expect(detached.map(\.id) == [kept, rearmed])
        // A request released (its timeout no longer counting) comes back with its timeout set again for the same
        // deadline.
        waits.restore(kept, detached[0].request, rearm: false)
        waits.restore(rearmed, detached[1].request, rearm: true)
        loop.advanceTime(by: .milliseconds(100))
        #expect(Set(expiries.ids) == [kept, rearmed])
    }

    /// 300 requests with timeouts of 1–50 ms, every third released: the others expire once each, earliest deadline
    /// first (ties in the order parked), whatever was released around them; parking more after stale entries piled
    /// up keeps working.
    @Test func manyTimeoutsExpireInDeadlineOrderAndReleasedOnesNever() {
        let loop = EmbeddedEventLoop()
        var (waits, expiries) = makeWaits(on: loop)
        var expected: [(deadline: Int64, id: WaitID)] = []
        for index in 0..<300 {
            let id = waits.makeID()
            let timeout = Int64(1 + (index * 37) % 50)
            waits.park(id, request(Int64(index)), timeoutMs: timeout)
            if index % 3 == 0 {
                #expect(waits.release(id) != nil)
            } else {
                expected.append((timeout, id))
            }
        }
        for step in 1...50 {
            loop.advanceTime(by: .milliseconds(1))
            for id in expiries.ids where waits[id] != nil { _ = waits.release(id) }
            #expect(expiries.ids.count == expected.filter { $0.deadline <= step }.count, "after \(step) ms")
        }
        let order = expected.sorted { $0.deadline != $1.deadline ? $0.deadline < $1.deadline : $0.id < $1.id }
        #expect(expiries.ids == order.map(\.id))
        #expect(waits.isEmpty)
        let late = waits.makeID()
        waits.park(late, request(999), timeoutMs: 5)
        loop.advanceTime(by: .milliseconds(5))
        #expect(expiries.ids.last == late)
    }
}
