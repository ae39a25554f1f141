import Foundation
import SyncOS
import Synchronization
import Testing

@preconcurrency import Glibc

/// `Descriptor.readSome`: a read blocked in `read(2)` that a signal interrupts goes on reading, where Foundation's
/// `FileHandle` stopped the test process ("Interrupted system call", seen as a crash in CI).
@Suite("Descriptor.readSome", .serialized)
struct DescriptorReadTests {
    /// Counts SIGUSR1 deliveries; the handler is installed without `SA_RESTART`, so a blocked `read` sees `EINTR`.
    nonisolated(unsafe) static var delivered = 0

    @Test func aSignalDuringABlockedReadIsNotAnError() async throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let fds = ends
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in DescriptorReadTests.delivered += 1 }
        action.sa_flags = 0
        var previous = sigaction()
        try #require(sigaction(SIGUSR1, &action, &previous) == 0)
        defer { sigaction(SIGUSR1, &previous, nil) }

        let reader = Mutex<(tid: Int32, thread: pthread_t?, result: Result<[UInt8], Descriptor.Failure>?)>(
            (0, nil, nil))
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // Foundation's threads start with most signals blocked; this one takes SIGUSR1 like any thread that
            // does not block it.
            var mask = sigset_t()
            sigemptyset(&mask)
            sigaddset(&mask, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            reader.withLock {
                $0.tid = Self.threadID(); $0.thread = pthread_self()
            }
            let result = Result { () throws(Descriptor.Failure) in try Descriptor.readSome(fds[0]) }
            reader.withLock { $0.result = result }
            finished.signal()
        }
        // The thread is in read(2) once its /proc entry names syscall 0; that is what the signal must interrupt.
        var blocked = false
        for _ in 0..<2000 where !blocked {
            let tid = reader.withLock { $0.tid }
            if tid != 0, let text = try? String(contentsOfFile: "/proc/self/task/\(tid)/syscall", encoding: .utf8) {
                blocked = text.hasPrefix("0 ")
            }
            if !blocked { usleep(1000) }
        }
        try #require(blocked, "the reading thread never blocked in read(2)")
        let thread = try #require(reader.withLock { $0.thread })
        pthread_kill(thread, SIGUSR1)
        // The data goes in only after the handler ran, so the read was interrupted with nothing to return.
        for _ in 0..<2000 where DescriptorReadTests.delivered == 0 { usleep(1000) }
        #expect(write(fds[1], "x", 1) == 1)
        finished.wait()
        #expect(DescriptorReadTests.delivered >= 1)
        #expect(try reader.withLock { $0.result }?.get() == Array("x".utf8))
        close(fds[0])
        close(fds[1])
    }

    /// The calling thread's kernel id, from `/proc/thread-self` ("PID/task/TID"): Swift's Glibc module exports
    /// neither `gettid` nor the variadic `syscall`.
    private static func threadID() -> Int32 {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        return Int32(path.split(separator: "/").last ?? "") ?? -1
    }

    @Test func theEndOfTheStreamIsEmpty() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        close(fds[1])
        #expect(try Descriptor.readSome(fds[0]).isEmpty)
        close(fds[0])
    }

    @Test func aClosedDescriptorFailsWithItsErrno() {
        #expect(throws: Descriptor.Failure(code: EBADF)) { try Descriptor.readSome(-1) }
    }
}
