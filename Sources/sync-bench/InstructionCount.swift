import NIOCore
import NIOEmbedded
import SyncCore
import SyncProtocol
@_spi(Fuzzing) import SyncServer
import SyncTop

/// `sync-bench --count CASE`: one hot path, run in this process on its own, for instruction counts under
/// `valgrind --tool=callgrind` (scripts/callgrind-counts.sh). Everything a case needs is set up first; then each
/// iteration's measured step runs inside ``callgrindMeasuredStep(_:)``, the one function callgrind collects in
/// (`--collect-atstart=no --toggle-collect='*callgrindMeasuredStep*'`), so start-up, set-up and checks are left
/// out. One unmeasured warm-up iteration comes first (first-call costs: metadata, caches). Prints
/// `CASE iterations N`; the count per iteration is the total over N.
///
/// The agent cases run the agent's real frame decoder, connection handler and core on NIO test channels
/// (`EmbeddedChannel`, one event loop, no socket, no journal: ``ChannelAgent``), with a fixed clock. The socket's
/// system calls are not user-space instructions, so callgrind would not count them anyway.
enum InstructionCount {
    /// The cases, by name, with their iterations.
    static let cases: [(name: String, iterations: Int, what: String)] = [
        ("want", 200, "one `want` of a new unit on a new dependency: frame decoded, applied, reply encoded"),
        ("complete-1", 50, "one `complete` releasing 1 parked `start` (its reply and the complete's)"),
        ("complete-1000", 2, "one `complete` releasing 1,000 parked `start`s, one connection each"),
        ("fanout-0", 100, "one `complete` of a started unit, no subscribers (the base of fanout-10)"),
        ("fanout-10", 100, "the same `complete`, its event pushed to 10 subscribers"),
        ("top-frame-1000", 10, "sync-top: one event applied to a 1,000-unit model, one 120×40 frame rendered"),
    ]

    static func run(_ name: String) throws -> Int32 {
        guard let entry = cases.first(where: { $0.name == name }) else {
            Syscalls.note(
                "sync-bench: unknown --count case \(name); one of: \(cases.map(\.name).joined(separator: ", "))")
            return 64
        }
        var work: any CountedWork
        switch name {
        case "want": work = try WantWork()
        case "complete-1": work = try CompleteWork(waiters: 1)
        case "complete-1000": work = try CompleteWork(waiters: 1000)
        case "fanout-0": work = try FanoutWork(subscribers: 0)
        case "fanout-10": work = try FanoutWork(subscribers: 10)
        default: work = TopFrameWork()
        }
        let began = Syscalls.nanos()
        for iteration in 0...entry.iterations {
            try work.prepare(iteration)
            if iteration == 0 {
                work.step()
            } else {
                callgrindMeasuredStep(&work)
            }
            try work.check(iteration)
        }
        let took = Double(Syscalls.nanos() - began) / 1e6
        Syscalls.note("\(name): \(entry.iterations) measured iterations (+1 warm-up), \(Report.number(took)) ms")
        print("\(name) iterations \(entry.iterations)")
        return 0
    }
}

/// The measured part of one iteration: the only function callgrind collects in. Never inlined, so it exists as a
/// symbol whose name contains `callgrindMeasuredStep`.
@inline(never)
func callgrindMeasuredStep(_ work: inout any CountedWork) {
    work.step()
}

/// One case of ``InstructionCount``: `prepare` and `check` run outside the count, `step` inside.
protocol CountedWork {
    mutating func prepare(_ iteration: Int) throws
    mutating func step()
    mutating func check(_ iteration: Int) throws
}

/// Test channels attached to one ``ChannelAgent``, each said hello on, and the frames sent to them.
struct ChannelBench {
    let loop = EmbeddedEventLoop()
    let agent: ChannelAgent
    private(set) var channels: [EmbeddedChannel] = []

    init() {
        agent = ChannelAgent(loop: loop)
    }

    /// A new connection that has said hello. - Returns: its index.
    mutating func connect() throws -> Int {
        let channel = EmbeddedChannel(loop: loop)
        try agent.attach(channel)
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/count")).wait()
        channels.append(channel)
        deliver(Self.frame(0, .hello(version: ProtocolVersion.current, client: "sync-bench")), to: channels.count - 1)
        _ = try expect(.ok, on: channels.count - 1)
        return channels.count - 1
    }

    /// A frame as the agent reads it.
    static func frame(_ id: Int64, _ body: Request.Body) -> ByteBuffer {
        ByteBuffer(string: Request(id: id, body).json.compact + "\n")
    }

    /// Hands `frame` to connection `index` as one read: decoded, handled, replies flushed.
    func deliver(_ frame: ByteBuffer, to index: Int) {
        let channel = channels[index]
        channel.pipeline.fireChannelRead(frame)
        channel.pipeline.fireChannelReadComplete()
        loop.run()
    }

    /// Everything connection `index` was sent since the last call, as frames.
    func received(on index: Int) throws -> [String] {
        var frames: [String] = []
        while let buffer = try channels[index].readOutbound(as: ByteBuffer.self) {
            frames += buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes)!
                .split(separator: "\n").map(String.init)
        }
        return frames
    }

    /// Reads connection `index`'s frames. - Throws: unless the last is of `kind`. - Returns: them all.
    @discardableResult
    func expect(_ kind: FrameSocket.Kind, on index: Int, count: Int = 1) throws -> [String] {
        let frames = try received(on: index)
        guard frames.count == count, let last = frames.last, FrameSocket.kind(of: ArraySlice(last.utf8)) == kind
        else { throw BenchError("--count: expected \(count) frame(s) ending in \(kind) on \(index), got \(frames)") }
        return frames
    }
}

/// `want`: a new unit on a new dependency per iteration, over one connection.
struct WantWork: CountedWork {
    var bench = ChannelBench()
    let connection: Int
    var frame = ByteBuffer()

    init() throws {
        connection = try bench.connect()
    }

    mutating func prepare(_ iteration: Int) throws {
        frame = ChannelBench.frame(Int64(iteration + 1), .want(unit: "cw-\(iteration)", dependsOn: ["cd-\(iteration)"]))
    }

    mutating func step() { bench.deliver(frame, to: connection) }

    mutating func check(_ iteration: Int) throws { try bench.expect(.ok, on: connection) }
}

/// `complete-N`: per iteration a fresh dependency, N connections each with a `start` parked on a unit wanting it;
/// the measured step is the `complete` of the dependency.
struct CompleteWork: CountedWork {
    var bench = ChannelBench()
    let control: Int
    var waiters: [Int] = []
    var frame = ByteBuffer()

    init(waiters count: Int) throws {
        control = try bench.connect()
        for _ in 0..<count { waiters.append(try bench.connect()) }
    }

    mutating func prepare(_ iteration: Int) throws {
        let dependency = "cd-\(iteration)"
        bench.deliver(ChannelBench.frame(1, .start(unit: dependency, wait: false, timeoutMs: nil)), to: control)
        try bench.expect(.ok, on: control)
        for (i, waiter) in waiters.enumerated() {
            let unit = "cw-\(iteration)-\(i)"
            bench.deliver(ChannelBench.frame(1, .want(unit: unit, dependsOn: [dependency])), to: waiter)
            bench.deliver(ChannelBench.frame(2, .start(unit: unit, wait: true, timeoutMs: nil)), to: waiter)
            // The want's reply, then the parked start's `waiting` push.
            try bench.expect(.push, on: waiter, count: 2)
        }
        frame = ChannelBench.frame(2, .complete(unit: dependency))
    }

    mutating func step() { bench.deliver(frame, to: control) }

    mutating func check(_ iteration: Int) throws {
        try bench.expect(.ok, on: control)
        for waiter in waiters { try bench.expect(.ok, on: waiter) }
    }
}

/// `fanout-N`: N subscribers; per iteration the `complete` of a started unit (one event), pushed to each.
struct FanoutWork: CountedWork {
    var bench = ChannelBench()
    let control: Int
    var subscribers: [Int] = []
    var frame = ByteBuffer()

    init(subscribers count: Int) throws {
        control = try bench.connect()
        for _ in 0..<count {
            let subscriber = try bench.connect()
            bench.deliver(ChannelBench.frame(1, .subscribe(since: nil, instance: nil)), to: subscriber)
            _ = try bench.received(on: subscriber)
            subscribers.append(subscriber)
        }
    }

    mutating func prepare(_ iteration: Int) throws {
        bench.deliver(ChannelBench.frame(1, .start(unit: "fo-\(iteration)", wait: false, timeoutMs: nil)), to: control)
        try bench.expect(.ok, on: control)
        for subscriber in subscribers { _ = try bench.received(on: subscriber) }
        frame = ChannelBench.frame(2, .complete(unit: "fo-\(iteration)"))
    }

    mutating func step() { bench.deliver(frame, to: control) }

    mutating func check(_ iteration: Int) throws {
        try bench.expect(.ok, on: control)
        for subscriber in subscribers { try bench.expect(.push, on: subscriber) }
    }
}

/// `top-frame-1000`: `sync-top`'s model holding 1,000 units (a binary tree of wants, the first 500 completed, the
/// rest pending), 120×40; per iteration the events of one `start` applied and one frame rendered.
struct TopFrameWork: CountedWork {
    static let units = 1000
    var graph = UnitGraph(clock: { Timestamp(microseconds: 1_000_000) })
    var model = DashboardModel(source: "count", now: Timestamp(microseconds: 1_000_000))
    var events: [SyncEvent] = []
    var checksum = 0

    init() {
        for i in 0..<Self.units {
            if i > 0 { try? graph.want("top-\(i)", dependsOn: "top-\((i - 1) / 2)") }
            if i < Self.units / 2 {
                _ = try? graph.start("top-\(i)", wait: nil)
                try? graph.complete("top-\(i)")
            }
        }
        _ = graph.drainEvents()
        model.resize(to: Size(width: 120, height: 40))
        model.apply(.connection(.live))
        model.apply(.snapshot(graph.snapshot))
    }

    mutating func prepare(_ iteration: Int) throws {
        _ = try graph.start("top-\(Self.units / 2 + iteration)", wait: nil)
        events = graph.drainEvents()
    }

    mutating func step() {
        for event in events { model.apply(.event(event)) }
        checksum &+= Renderer.render(model, theme: .standard).cells.count
    }

    mutating func check(_ iteration: Int) throws {
        guard !events.isEmpty, checksum > 0 else { throw BenchError("--count top-frame-1000: nothing rendered") }
    }
}
