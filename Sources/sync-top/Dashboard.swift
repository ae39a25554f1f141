import SyncOS
import SyncProtocol
import SyncCore
import SyncTop
import Synchronization

@preconcurrency import Glibc

/// Set on SIGINT or SIGTERM; the loop checks it after every wake-up.
let stopRequested = Atomic<Bool>(false)

/// The interactive dashboard: one thread (the caller's) owns curses; the feed runs in a task and posts into a
/// ``Mailbox``. The loop sleeps in `poll()` on stdin and the mailbox's pipe, so it wakes for a key or for data and
/// otherwise once a second for the clocks. It applies everything queued, then draws once, and only when the
/// model's version changed. While events stream it draws at most ~30 frames a second and wakes for them only once
/// a frame interval: after a frame it leaves the mailbox unwatched until the next one is due, so the events of an
/// interval are applied together (a key still wakes it at once, and is drawn at once).
struct Dashboard {
    let feed: any DashboardFeed
    /// The time the model is shown at: the wall clock, or a replay's recorded time.
    let clock: @Sendable () -> Timestamp
    let environment: TerminalEnvironment
    let colorMode: ColorMode

    /// Shortest time between two frames, in microseconds.
    static let frameInterval: Int64 = 33_000

    /// Runs until `q`, Ctrl-C or SIGTERM.
    func run() throws(TopError) {
        let mailbox = Mailbox()
        // SIGINT and SIGTERM end the loop; curses keeps its own SIGWINCH handler, whose signal interrupts `poll()`
        // so the resize is read as a key at once.
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { _ in
            stopRequested.store(true, ordering: .relaxed)
            mailbox.wake()
        }
        defer { withExtendedLifetime(signals) {} }
        let feed = self.feed
        let task = Task.detached {
            await feed.run(post: mailbox.post)
            mailbox.finish()
        }
        defer { task.cancel() }

        let terminal = try CursesTerminal(environment: environment, colorMode: colorMode)
        defer { terminal.close() }
        Self.receiveSignalsOnThisThread()
        var model = DashboardModel(source: feed.label, now: clock())
        model.utcOffset = SystemClock.utcOffset()
        model.resize(to: terminal.size)
        var drawnVersion: UInt64?
        var lastFrame: Int64 = .min / 2

        loop: while !stopRequested.load(ordering: .relaxed) {
            for input in mailbox.drain() { model.apply(input) }
            var keyPressed = false
            for key in terminal.readKeys() {
                if key == .ctrlL { terminal.invalidate() }
                if model.handle(key) == .quit { break loop }
                keyPressed = true
            }
            model.tick(now: clock())
            var timeout = millisecondsToNextSecond()
            if model.version != drawnVersion {
                // A key is answered at once; changes from the feed wait for the next frame interval.
                let wait = lastFrame + Self.frameInterval - SystemClock.monotonic()
                if wait <= 0 || keyPressed {
                    terminal.draw(Renderer.render(model, theme: terminal.theme))
                    drawnVersion = model.version
                    lastFrame = SystemClock.monotonic()
                } else {
                    timeout = min(timeout, Int32(wait / 1000) + 1)
                }
            }
            // Within a frame interval of the last frame, what the feed posts waits for the next one: the mailbox
            // is left unwatched until then, so a stream of events wakes the loop once a frame, not once an event.
            let sinceFrame = SystemClock.monotonic() - lastFrame
            let watched =
                sinceFrame < Self.frameInterval ? [terminal.inputFD] : [terminal.inputFD, mailbox.wakeFD]
            if sinceFrame < Self.frameInterval {
                timeout = min(timeout, Int32((Self.frameInterval - sinceFrame) / 1000) + 1)
            }
            // The terminal went away (its window closed, ssh dropped): nobody can see or quit this, so end,
            // rather than spin on an input that is always "ready".
            if !sleep(on: watched, milliseconds: timeout) { break loop }
        }
    }

    /// Waits until one of `fds` is readable, a signal arrives, or `milliseconds` pass.
    /// - Returns: false when the first descriptor (the terminal) hung up or failed.
    private func sleep(on fds: [Int32], milliseconds: Int32) -> Bool {
        var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        _ = poll(&polled, nfds_t(polled.count), milliseconds)
        return polled[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) == 0
    }

    /// Milliseconds until the wall clock's next whole second (the 1 Hz tick for clocks and durations).
    private func millisecondsToNextSecond() -> Int32 {
        let micros = SystemClock.now().rawValue % 1_000_000
        return Int32((1_000_000 - micros) / 1000) + 1
    }

    /// The runtime's worker threads block signals, and this thread inherits a mask that blocks them too (seen in
    /// /proc/PID/task/*/status: SIGWINCH blocked everywhere), so it stayed pending and a resize was never noticed.
    /// Unblocking it here delivers it to the curses thread, where it interrupts `poll()`; SIGHUP too, whose default
    /// action ends the program when its terminal goes away. SIGINT and SIGTERM stay with the ``SignalWatcher``.
    private static func receiveSignalsOnThisThread() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGWINCH, SIGHUP] { sigaddset(&signals, number) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
