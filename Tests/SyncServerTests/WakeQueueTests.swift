@preconcurrency import Glibc
import SyncClient
import Testing

/// The consumer's loop of `sync-top --once`: drain, stop once finished, otherwise sleep in `poll()` until woken.
/// A finish must never be lost between a drain and the poll (it was: the drain could swallow the finish's wake-up
/// byte after the consumer had read "not finished", and `sync-top --once --replay` slept forever).
@Suite struct WakeQueueTests {
    @Test func aConsumerSeesEveryItemAndTheFinishWithoutBeingLeftAsleep() async throws {
        for round in 0..<2_000 {
            let queue = WakeQueue<Int>()
            let producer = Task.detached {
                for item in 0..<3 { queue.post(item) }
                queue.finish()
            }
            var received: [Int] = []
            while true {
                let (items, finished) = queue.drainNoting()
                received += items
                if finished { break }
                var polled = [pollfd(fd: queue.wakeFD, events: Int16(POLLIN), revents: 0)]
                // A generous bound only so that a lost wake-up fails the test instead of hanging it.
                guard poll(&polled, 1, 30_000) > 0 else {
                    Issue.record("round \(round): asleep with \(received) received and the producer finished")
                    break
                }
            }
            await producer.value
            #expect(received == [0, 1, 2], "round \(round)")
        }
    }
}
