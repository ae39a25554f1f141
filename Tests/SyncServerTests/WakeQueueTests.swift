import Foundation
@preconcurrency import Glibc
import SyncClient
import Testing

/// The consumer's loop of `sync-top --once`: drain, stop once finished, otherwise sleep in `poll()` until woken.
/// A finish must never be lost between a drain and the poll (it was: the drain could swallow the finish's wake-up
/// byte after the consumer had read "not finished", and `sync-top --once --replay` slept forever).
@Suite struct WakeQueueTests {
    @Test func aConsumerSeesEveryItemAndTheFinishWithoutBeingLeftAsleep() throws {
        for round in 0..<2_000 {
            let queue = WakeQueue<Int>()
            // A thread of its own: the consumer blocks its thread in poll(), and on a 2-core machine a task would
            // wait for a cooperative thread that the test's neighbours may all be blocking too.
            let produced = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                for item in 0..<3 { queue.post(item) }
                queue.finish()
                produced.signal()
            }
            var received: [Int] = []
            while true {
                let (items, finished) = queue.drainNoting()
                received += items
                if finished { break }
                var polled = [pollfd(fd: queue.wakeFD, events: Int16(POLLIN), revents: 0)]
                // A generous bound only so that a lost wake-up fails the test instead of hanging it.
                var ready = poll(&polled, 1, 30_000)
                while ready < 0 && errno == EINTR { ready = poll(&polled, 1, 30_000) }
                guard ready > 0 else {
                    Issue.record("round \(round): asleep with \(received) received and the producer finished")
                    break
                }
            }
            produced.wait()
            #expect(received == [0, 1, 2], "round \(round)")
        }
    }
}
