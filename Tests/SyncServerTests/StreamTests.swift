import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

/// Snapshot-then-stream subscriptions: nothing missed, nothing repeated, resumable, slow readers dropped.
@Suite("Event stream")
struct StreamTests {
    /// Collects a subscription's items until `until` says stop.
    private func collect(
        _ stream: AsyncThrowingStream<StreamItem, any Error>, until done: ([StreamItem]) -> Bool
    ) async throws -> [StreamItem] {
        var items: [StreamItem] = []
        for try await item in stream {
            items.append(item)
            if done(items) { break }
        }
        return items
    }

    private func lastSequence(_ items: [StreamItem]) -> UInt64 {
        switch items.last {
        case .event(let event, _): return event.sequence
        case .snapshot(_, let snapshot): return snapshot.sequence
        case .store, nil: return 0
        }
    }

    @Test func aSubscriberJoiningMidBurstSeesEveryChangeOnceAndInOrder() async throws {
        try await withAgent { agent in
            let writer = try await agent.client("writer")
            let reader = try await agent.client("reader")
            defer { writer.close(); reader.close() }
            /// Starts and completes units `range` concurrently over the writer's connection.
            func burst(_ range: Range<Int>) -> Task<Void, any Error> {
                Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for i in range {
                            group.addTask {
                                _ = try await writer.start("unit-\(i)")
                                try await writer.complete("unit-\(i)")
                            }
                        }
                        try await group.waitForAll()
                    }
                }
            }
            try await burst(0..<2_000).value
            let middle = burst(2_000..<4_000)
            // Join while the burst goes on: the snapshot lands somewhere in it, and more follows after it.
            var stream = reader.subscribe().makeAsyncIterator()
            let snapshotItem = try await stream.next()
            let rest = burst(4_000..<5_000)
            try await middle.value
            try await rest.value
            let final = try await writer.snapshot()
            #expect(final.sequence == 15_000)  // registered, started, completed per unit
            var items = [try #require(snapshotItem)]
            while lastSequence(items) < final.sequence, let item = try await stream.next() { items.append(item) }
            guard case .snapshot(_, let start) = items.first else {
                Issue.record("the stream did not start with a snapshot")
                return
            }
            #expect(start.sequence >= 6_000 && start.sequence < 12_000)
            let sequences = items.dropFirst().compactMap { item -> UInt64? in
                if case .event(let event, _) = item { return event.sequence } else { return nil }
            }
            #expect(sequences == Array((start.sequence + 1)...final.sequence))
            var mirror = UnitGraph(snapshot: start, clock: { Timestamp() })
            for case .event(let event, _) in items.dropFirst() { mirror.replay(event) }
            #expect(mirror.snapshot == final)
        }
    }

    @Test func aSubscriberResumesWithSinceAndGetsOnlyWhatItMissed() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            _ = try await client.start("a")
            let first = try await collect(client.subscribe()) { _ in true }
            guard case .snapshot(let instance, let snapshot) = first.first else {
                Issue.record("expected a snapshot first")
                return
            }
            try await client.complete("a")
            _ = try await client.start("b")
            let resumed = try await collect(client.subscribe(since: snapshot.sequence, instance: instance)) {
                $0.count == 3
            }
            let kinds = resumed.compactMap { item -> String? in
                if case .event(let event, _) = item { return "\(event.sequence) \(event.kindName) \(event.unit)" }
                return nil
            }
            #expect(kinds == ["3 status_changed a", "4 registered b", "5 status_changed b"])
            // Another instance's sequence numbers mean nothing here: a snapshot comes instead.
            let other = try await collect(client.subscribe(since: 3, instance: "someone-else")) { _ in true }
            if case .snapshot(_, let fresh) = other.first {
                #expect(fresh.sequence == 5)
            } else {
                Issue.record("expected a snapshot for a foreign instance")
            }
        }
    }

    @Test func aSinceTheRingNoLongerHoldsGivesAFreshSnapshot() async throws {
        let agent = try await InProcessAgent.start(configure: { $0.eventHistory = 16 })
        defer { Task { await agent.stop() } }
        let client = try await agent.client()
        defer { client.close() }
        for i in 0..<20 { _ = try await client.start("u\(i)") }
        let items = try await collect(client.subscribe(since: 1)) { _ in true }
        if case .snapshot(_, let snapshot) = items.first {
            #expect(snapshot.sequence == 40)
            #expect(snapshot.units.count == 20)
        } else {
            Issue.record("expected a snapshot")
        }
        await agent.stop()
    }

    @Test func aSlowSubscriberIsDroppedAndOthersCarryOn() async throws {
        // The subscriber reads only after the burst; on a loaded machine that can take longer than the agent's
        // usual 10 s for a dropped client to read its notice.
        let agent = try await InProcessAgent.start(configure: {
            $0.closeLinger = .seconds(600)
            $0.stallTimeout = .seconds(600)
        })
        defer { Task { await agent.stop() } }
        do {
            let slow = try RawConnection(path: agent.socketPath.path)
            defer { slow.close() }
            try await slow.hello()
            await slow.send(#"{"id":9,"type":"subscribe"}"# + "\n")
            let writer = try await agent.client("writer")
            defer { writer.close() }
            let reason = String(repeating: "r", count: 1000)
            // About 12 MB of events: far more than the 4 MiB the agent queues for one subscriber.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<12_000 {
                    group.addTask { try await writer.fail("unit-\(i)", reason: reason) }
                }
                try await group.waitForAll()
            }
            try await writer.ping()
            var last: JSON?
            var events = 0
            // The subscription ends with its error; the connection goes on.
            while let frame = try await slow.readFrame() {
                if frame["push"] == "event" { events += 1 }
                last = frame
                if frame["ok"] == false { break }
            }
            #expect(last?["error"]?["code"] == "too_slow")
            #expect(last?["id"] == 9)
            #expect(events > 0 && events < 24_000)
            #expect(try await writer.list().count == 12_000)
        }
    }
}
