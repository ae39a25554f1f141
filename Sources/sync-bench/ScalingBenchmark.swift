import SyncProtocol

/// Does the cost of a request grow with what the request touches, and no faster? Each check measures the same work
/// at size N and at 4N, each size on its own fresh `sync-agent` process, and reports time(4N) / time(N): linear work
/// gives 4, quadratic 16; the goal is at most 5. The time is the agent's CPU time for the work (all its threads, from
/// `/proc/PID/task/*/schedstat`), not wall time, so other processes competing for the CPU do not make a ratio;
/// repetitions alternate between the two sizes and the least of each is kept. Repetitions of a check that changes
/// the graph use fresh unit names on the same agent (the earlier graph must not slow it down either).
///
/// - `scaling_want_batch_ratio`: one `want` of one unit with N dependencies.
/// - `scaling_want_single_ratio`: N single-edge `want`s on one unit (pipelined).
/// - `scaling_fanin_ratio`: 8N units depend on one (built first); the `complete` of that one (8N and 32N: the
///   request is too quick to time well at N, and at 8N both sizes outgrow the CPU's caches alike).
/// - `scaling_chain_fail_ratio`: a chain of N units (built first); the `fail` of its root, which skips all others.
/// - `scaling_list_ratio`, `scaling_snapshot_ratio`: `list` and `snapshot` of a failed chain (N units, N-1 edges,
///   N-1 skipped causes).
/// - `scaling_replay_ratio`: an agent restarting on the journal of a failed chain, until it accepts connections.
struct ScalingBenchmark: Benchmark {
    var group: String { "scaling" }

    func run(_ context: BenchContext) async throws -> Measurement {
        // 4N stays within the default limit of 10,000 dependencies per unit.
        let n = context.scalingSize ?? context.pick(full: 2_500, quick: 1_000)
        let repetitions = context.pick(full: 5, quick: 3)
        var figures: [String: Double] = [:]
        for check in Check.allCases {
            let size = check == .fanIn ? 8 * n : n
            let small = try Probe(check, size, context)
            let large = try Probe(check, 4 * size, context)
            var (fastSmall, fastLarge) = (Double.infinity, Double.infinity)
            for repetition in 0..<repetitions {
                fastSmall = min(fastSmall, try small.measure(repetition))
                fastLarge = min(fastLarge, try large.measure(repetition))
            }
            small.agent.stop()
            large.agent.stop()
            figures["scaling_\(check.rawValue)_ratio"] = fastLarge / fastSmall
            Syscalls.note(
                "  scaling \(check.rawValue): N=\(size) \(Report.number(fastSmall * 1e3)) ms, "
                    + "4N=\(4 * size) \(Report.number(fastLarge * 1e3)) ms, "
                    + "ratio \(Report.number(fastLarge / fastSmall))")
        }
        return Measurement(figures: figures)
    }

    enum Check: String, CaseIterable {
        case wantBatch = "want_batch"
        case wantSingle = "want_single"
        case fanIn = "fanin"
        case chainFail = "chain_fail"
        case list
        case snapshot
        case replay
    }

    /// One size of one check: its agent, and the graph it needs built before the first repetition.
    final class Probe {
        let check: Check
        let n: Int
        let agent: SpawnedAgent
        private var socket: FrameSocket
        private var nextID: Int64 = 1

        init(_ check: Check, _ n: Int, _ context: BenchContext) throws {
            self.check = check
            self.n = n
            agent = try SpawnedAgent(binary: context.agentBinary, journal: check == .replay)
            socket = try agent.connect()
            if [.list, .snapshot, .replay].contains(check) {
                try buildChain("chain")
                try call(.fail(unit: "chain-0", reason: "exit 1"))
            }
        }

        /// Seconds one repetition of the measured request takes.
        func measure(_ repetition: Int) throws -> Double {
            let prefix = "r\(repetition)-"
            // What the repetition needs in place first is not measured.
            switch check {
            case .fanIn:
                _ = try pipeline((0..<n).map { frame(.want(unit: prefix + "leaf-\($0)", dependsOn: [prefix + "hub"])) })
                try call(.start(unit: prefix + "hub", wait: false, timeoutMs: nil))
            case .chainFail:
                try buildChain(prefix + "chain")
            default:
                break
            }
            if check == .replay {
                _ = try agent.restartTime()
                socket = try agent.connect()
                return Double(ProcStats.cpuNanos(agent.pid)) / 1e9
            }
            let before = ProcStats.cpuNanos(agent.pid)
            try run(prefix)
            return Double(ProcStats.cpuNanos(agent.pid) - before) / 1e9
        }

        /// The measured request(s) of one repetition.
        private func run(_ prefix: String) throws {
            switch check {
            case .wantBatch:
                let dependencies = (0..<n).map { prefix + "dep-\($0)" }
                try call(.want(unit: prefix + "hub", dependsOn: dependencies))
            case .wantSingle:
                let frames = (0..<n).map { frame(.want(unit: prefix + "hub", dependsOn: [prefix + "dep-\($0)"])) }
                _ = try pipeline(frames)
            case .fanIn:
                try call(.complete(unit: prefix + "hub"))
            case .chainFail:
                try call(.fail(unit: prefix + "chain-0", reason: "exit 1"))
            case .list:
                try call(.list)
            case .snapshot:
                try call(.snapshot)
            case .replay:
                break
            }
        }

        /// `name-1` wants `name-0`, `name-2` wants `name-1`, … up to `name-(n-1)`.
        private func buildChain(_ name: String) throws {
            _ = try pipeline((1..<n).map { frame(.want(unit: "\(name)-\($0)", dependsOn: ["\(name)-\($0 - 1)"])) })
        }

        private func frame(_ body: Request.Body) -> String {
            defer { nextID += 1 }
            return FrameSocket.frame(nextID, body)
        }

        /// Sends the frames pipelined. - Returns: nanoseconds until the last reply.
        private func pipeline(_ frames: [String]) throws -> UInt64 {
            let run = try Pipeline.run(frames, on: socket)
            guard run.refused == 0 else { throw BenchError("scaling \(check.rawValue): \(run.refused) refused") }
            return run.nanos
        }

        private func call(_ body: Request.Body) throws {
            defer { nextID += 1 }
            try socket.expectOK(nextID, body)
        }
    }
}
