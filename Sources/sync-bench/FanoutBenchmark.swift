import SyncOS

/// `fanout_1000_ms`, `fanout_10000_ms`: one `complete` releasing N `start`s parked on it, each on its own
/// connection, against a `sync-agent` process run `--ephemeral`; from the moment the `complete` is sent until the
/// last of the N replies has been read. The extra `fanout_10000_journal_ms` is the same with the agent's journal.
///
/// Each waiter connection sends hello, `want fan-i fan-root` and `start fan-i` in one write; the bench waits until
/// every one of them has been told `waiting` before it completes `fan-root`. One thread reads all the sockets
/// through epoll, so the bench itself adds little to the time. Needs 2N+ open files in the bench and N+ in the
/// agent: the bench raises its soft limit to the hard one first and the agent inherits it.
///
/// `fanout_10000_timeout_ms` (not in `--quick`): the same with every `start` given `syncctl start`'s default
/// timeout (5 minutes), so each parked request has a timeout that its release must stop.
struct FanoutBenchmark: Benchmark {
    var group: String { "fanout" }

    func run(_ context: BenchContext) async throws -> Measurement {
        let limit = FileLimit.raiseToHardLimit()
        guard limit > 10_100 else {
            throw BenchError("fan-out of 10,000 needs more than 10,100 open files; the hard limit is \(limit)")
        }
        var result = Measurement()
        var agent = try SpawnedAgent(binary: context.agentBinary, journal: false)
        result.figures["fanout_1000_ms"] = try measure(agent, waiters: 1000)
        agent.stop()
        agent = try SpawnedAgent(binary: context.agentBinary, journal: false)
        result.figures["fanout_10000_ms"] = try measure(agent, waiters: 10_000)
        result.figures["fanout_10000_rss_mb"] = ProcStats.peakResidentMiB(agent.pid) ?? .nan
        agent.stop()
        if !context.quick {
            agent = try SpawnedAgent(binary: context.agentBinary, journal: true)
            result.figures["fanout_10000_journal_ms"] = try measure(agent, waiters: 10_000)
            agent.stop()
            agent = try SpawnedAgent(binary: context.agentBinary, journal: false)
            result.figures["fanout_10000_timeout_ms"] = try measure(agent, waiters: 10_000, timeoutMs: 300_000)
            agent.stop()
        }
        return result
    }

    private func measure(_ agent: SpawnedAgent, waiters: Int, timeoutMs: Int64? = nil) throws -> Double {
        let control = try agent.connect()
        try control.expectOK(1, .start(unit: "fan-root", wait: true, timeoutMs: nil))
        let epoll = try Epoll()
        var sockets: [FrameSocket] = []
        sockets.reserveCapacity(waiters)
        for i in 0..<waiters {
            let socket = try FrameSocket(path: agent.socketPath)
            try socket.send(
                FrameSocket.frame(0, .hello(version: 1, client: "fan"))
                    + FrameSocket.frame(1, .want(unit: "fan-\(i)", dependsOn: ["fan-root"]))
                    + FrameSocket.frame(2, .start(unit: "fan-\(i)", wait: true, timeoutMs: timeoutMs)))
            socket.setNonBlocking()
            try epoll.add(socket.fd, tag: i)
            sockets.append(socket)
        }
        // Three frames each: hello's reply, want's reply, start's `waiting` push.
        var frames = [Int](repeating: 0, count: waiters)
        try collect(until: 3, frames: &frames, sockets: sockets, epoll: epoll)

        let sent = Syscalls.nanos()
        try control.send(FrameSocket.frame(2, .complete(unit: "fan-root")))
        let released = try collect(until: 4, frames: &frames, sockets: sockets, epoll: epoll)
        let elapsed = Double(released - sent) / 1e6
        guard FrameSocket.kind(of: try control.readFrame()) == .ok else { throw BenchError("complete refused") }
        return elapsed
    }

    /// Reads until every socket has received `target` frames in all. - Returns: when the last one arrived.
    @discardableResult
    private func collect(until target: Int, frames: inout [Int], sockets: [FrameSocket], epoll: Epoll)
        throws -> UInt64
    {
        var short = frames.filter { $0 < target }.count
        var last = Syscalls.nanos()
        let deadline = last + 60_000_000_000
        while short > 0 {
            let ready = epoll.wait(milliseconds: 1000)
            guard Syscalls.nanos() < deadline else {
                throw BenchError("fan-out: \(short) waiters got no reply in 60 s")
            }
            for tag in ready {
                let socket = sockets[tag]
                while try socket.fill() > 0 {}
                while let frame = socket.nextFrame() {
                    if frames[tag] == 3, FrameSocket.kind(of: frame) != .ok {
                        throw BenchError("fan-out: a waiter was refused: \(String(decoding: frame, as: UTF8.self))")
                    }
                    frames[tag] += 1
                    if frames[tag] == target {
                        short -= 1
                        last = Syscalls.nanos()
                    }
                }
            }
        }
        return last
    }
}
