import SyncClient
import SyncCore
import SyncOS
import SyncProtocol
import SyncTop
import Synchronization

@preconcurrency import Glibc

/// The child process of ``TopBenchmark``: `sync-top`'s work without the terminal. It follows the agent's stream as
/// `sync-top`'s feed does (``StreamFollower`` posting from the connection's reader thread into a queue that wakes
/// the loop through a pipe),
/// and runs `sync-top`'s loop: apply what arrived, tick the clock, render into a 120×40 ``ScreenBuffer`` when the
/// model changed and at most every 33 ms, sleep in `poll()` (on the queue only once a frame interval has passed
/// since the last frame, as `sync-top` watches its mailbox). Prints `ready` once the snapshot is in, then one
/// ``Report`` line after the measured window.
struct TopWorker {
    let socketPath: String
    let seconds: Double
    let warmup: Double

    /// What the worker measured over its window.
    struct Report {
        var cpuSeconds: Double
        var wallSeconds: Double
        var frames: Int
        var events: Int

        var line: String { "\(cpuSeconds) \(wallSeconds) \(frames) \(events)" }

        init(cpuSeconds: Double, wallSeconds: Double, frames: Int, events: Int) {
            self.cpuSeconds = cpuSeconds
            self.wallSeconds = wallSeconds
            self.frames = frames
            self.events = events
        }

        init?(line: String) {
            let fields = line.split(separator: " ")
            guard fields.count == 4, let cpu = Double(fields[0]), let wall = Double(fields[1]),
                let frames = Int(fields[2]), let events = Int(fields[3])
            else { return nil }
            self.init(cpuSeconds: cpu, wallSeconds: wall, frames: frames, events: events)
        }
    }

    /// `sync-top`'s frame pacing (``Dashboard/frameInterval``), in nanoseconds.
    static let frameInterval: UInt64 = 33_000_000

    func run() async {
        let queue = WakeQueue<DashboardInput>()
        let follower = StreamFollower(
            socketPath: SocketPath(path: socketPath, source: .flag), clientName: "sync-top",
            handsOverOnReaderThread: true)
        let feed = Task.detached {
            try? await follower.run(since: nil, retryFirstConnection: false) { update in
                switch update {
                case .connected: queue.post(.connection(.live))
                case .item(.snapshot(_, let snapshot)): queue.post(.snapshot(snapshot))
                case .item(.event(let event, _)): queue.post(.event(event))
                case .item(.store): break
                case .lost: break
                }
            }
        }
        defer { feed.cancel() }
        var model = DashboardModel(source: socketPath, now: SystemClock.now())
        model.resize(to: Size(width: 120, height: 40))
        var drawn: UInt64?
        var lastFrame: UInt64 = 0
        var frames = 0
        var events = 0
        var checksum = 0
        var ready: UInt64?
        var window: (began: UInt64, cpu: Double, frames: Int, events: Int)?

        while true {
            for input in queue.drain() {
                if case .event = input { events += 1 }
                model.apply(input)
            }
            model.tick(now: SystemClock.now())
            let now = Syscalls.nanos()
            var timeout: Int32 = 1000
            if model.version != drawn {
                if now >= lastFrame + Self.frameInterval {
                    let buffer = Renderer.render(model, theme: .standard)
                    checksum &+= buffer.cells.count
                    drawn = model.version
                    lastFrame = now
                    frames += 1
                } else {
                    timeout = Int32((lastFrame + Self.frameInterval - now) / 1_000_000) + 1
                }
            }
            if ready == nil, model.lastSequence != nil {
                ready = now
                print("ready")
                fflush(stdout)
            }
            if let start = ready {
                if window == nil, now >= start + UInt64(warmup * 1e9) {
                    window = (now, Syscalls.processCPUSeconds(), frames, events)
                }
                if let window, now >= window.began + UInt64(seconds * 1e9) {
                    let report = Report(
                        cpuSeconds: Syscalls.processCPUSeconds() - window.cpu,
                        wallSeconds: Double(now - window.began) / 1e9, frames: frames - window.frames,
                        events: events - window.events)
                    print(report.line)
                    fflush(stdout)
                    break
                }
            }
            // Within a frame interval of the last frame the queue is not watched: its events wait for the next.
            let sinceFrame = Syscalls.nanos() - lastFrame
            if sinceFrame < Self.frameInterval {
                timeout = min(timeout, Int32((Self.frameInterval - sinceFrame) / 1_000_000) + 1)
                _ = poll(nil, 0, timeout)
            } else {
                var polled = pollfd(fd: queue.wakeFD, events: Int16(POLLIN), revents: 0)
                _ = poll(&polled, 1, timeout)
            }
        }
        if checksum == 0 { print("no frames") }
    }
}
