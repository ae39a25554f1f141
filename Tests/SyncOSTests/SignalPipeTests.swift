import SyncOS
import Testing

@preconcurrency import Glibc

/// Signals read as bytes by a thread that waits in poll: none lost, the previous handler back afterwards. The
/// signals are sent to the process (`kill`), not raised: the test's own thread may be one that blocks them.
@Suite("Signal pipe")
struct SignalPipeTests {
    @Test func aSignalIsReadOnceAndTheOldHandlerComesBack() throws {
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        var before = sigaction()
        sigaction(SIGUSR2, &ignore, &before)
        defer { sigaction(SIGUSR2, &before, nil) }

        let pipe = try #require(SignalPipe(signals: [SIGUSR2]))
        #expect(pipe.take().isEmpty)
        kill(getpid(), SIGUSR2)
        var fds = [pollfd(fd: pipe.fd, events: Int16(POLLIN), revents: 0)]
        #expect(poll(&fds, 1, 10_000) == 1)
        #expect(pipe.take() == [SIGUSR2])
        #expect(pipe.take().isEmpty)
        kill(getpid(), SIGUSR2)
        #expect(poll(&fds, 1, 10_000) == 1)
        // Not taken yet: restore hands it over rather than losing it.
        #expect(pipe.restore() == [SIGUSR2])
        var now = sigaction()
        sigaction(SIGUSR2, nil, &now)
        #expect(
            unsafeBitCast(now.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self))
    }

    @Test func twoPipesAtOnceAreBothTold() throws {
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        var before = sigaction()
        sigaction(SIGUSR1, &ignore, &before)
        defer { sigaction(SIGUSR1, &before, nil) }
        let outer = try #require(SignalPipe(signals: [SIGUSR1]))
        let inner = try #require(SignalPipe(signals: [SIGUSR1]))
        kill(getpid(), SIGUSR1)
        var fds = [
            pollfd(fd: inner.fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: outer.fd, events: Int16(POLLIN), revents: 0),
        ]
        for index in fds.indices {
            #expect(poll(&fds[index], 1, 10_000) == 1)
        }
        #expect(inner.restore() == [SIGUSR1])
        #expect(outer.restore() == [SIGUSR1])
    }
}
