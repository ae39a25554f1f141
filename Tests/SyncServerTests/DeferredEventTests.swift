import SyncClient
import SyncCore
import SyncProtocol
import SyncTestSupport
import Testing

@testable import SyncServer

/// An agent without a journal and without subscribers defers the encoding of its events until someone reads them
/// (``EncodedEvent/init(deferring:)``); what is read must be what encoding at once gave.
@Suite("Deferred event encoding")
struct DeferredEventTests {
    private static let time = Timestamp(microseconds: 1_234)
    private static let cause = FailureCause(root: "c", reason: "exit 1", chain: ["c", "d"])

    /// Every kind, the ones the direct encoder writes and the ones it hands to the `JSON` value.
    private static let events: [SyncEvent] = [
        .init(sequence: 1, time: time, kind: .registered(unit: "a")),
        .init(sequence: 2, time: time, kind: .dependencyAdded(unit: "b", dependsOn: "a", required: .completed)),
        .init(
            sequence: 3, time: time,
            kind: .statusChanged(unit: "a", from: .pending, to: .started, reason: nil, cause: nil, by: "t")),
        .init(
            sequence: 4, time: time,
            kind: .statusChanged(unit: "d", from: .pending, to: .skipped, reason: nil, cause: cause)),
        .init(sequence: 5, time: time, kind: .waitBegan(unit: "b", unsatisfied: ["a"])),
        .init(sequence: 6, time: time, kind: .waitEnded(unit: "q\"b", outcome: .started)),
        .init(sequence: 7, time: time, kind: .noted(unit: "é", note: "3/10")),
    ]

    @Test func aDeferredEventReadsAsTheEventEncodedAtOnce() {
        for event in Self.events {
            let eager = EncodedEvent(event)
            var deferred = EncodedEvent(deferring: event)
            #expect(!deferred.isEncoded)
            #expect(eager.isEncoded)
            #expect(deferred.json == eager.json)
            #expect(deferred.json == event.json.compact)
            #expect(deferred.sequence == eager.sequence)
            #expect(deferred.version == eager.version)
            deferred.encodeNow()
            #expect(deferred.isEncoded)
            #expect(deferred.json == eager.json)
        }
    }

    @Test func theRingEncodesWhatItHoldsOnceAndKeepsItsOrder() {
        var ring = EventRing(capacity: 5)
        for event in Self.events { ring.append(EncodedEvent(deferring: event)) }
        #expect(ring.all.allSatisfy { !$0.isEncoded })
        ring.encodeAll()
        #expect(ring.all.allSatisfy { $0.isEncoded })
        #expect(ring.all.map(\.json) == Self.events.suffix(5).map(\.json.compact))
        #expect(ring.entries(after: 4, latest: 7)?.map(\.json) == Self.events.suffix(3).map(\.json.compact))
    }

    /// A release of several waiters on an agent with neither journal nor subscriber: a subscriber resuming from
    /// the start (the deferred events encoded as the ring is read) and `history` (the ring encoded in place) both
    /// get every event of it, in order.
    @Test func aReleaseReadsBackTheSameThroughResumptionAndHistory() async throws {
        try await withAgent { agent in
            let control = try await agent.client()
            defer { control.close() }
            let waiters = try await (0..<3).asyncMap { _ in try await agent.client() }
            defer { waiters.forEach { $0.close() } }
            _ = try await control.start("root")
            for i in 0..<3 { try await control.want("w-\(i)", dependsOn: ["root"]) }
            try await withThrowingTaskGroup(of: StartInfo.self) { group in
                let signals = (0..<3).map { _ in ParkedStartTests.WaitingSignal() }
                for (i, client) in waiters.enumerated() {
                    group.addTask { try await client.start("w-\(i)") { _ in signals[i].fire() } }
                }
                for signal in signals { await signal.wait() }
                try await control.complete("root")
                for try await info in group { #expect(info.waited) }
            }
            var resumed: [SyncEvent] = []
            for try await item in control.subscribe(since: 0) {
                guard case .event(let event, _) = item else { continue }
                resumed.append(event)
                if case .statusChanged("w-2", .pending, .started, _, _, _) = event.kind { break }
            }
            let (_, history) = try await control.history()
            #expect(resumed.map(\.sequence) == Array(1...UInt64(resumed.count)))
            #expect(Array(history.prefix(resumed.count)) == resumed)
            // The complete, then per waiter its wait's end and its start.
            let released = Array(resumed.suffix(7))
            #expect(
                released.first?.kind
                    == .statusChanged(unit: "root", from: .started, to: .completed, reason: nil, cause: nil))
            for i in 0..<3 {
                let ended = released.firstIndex { $0.kind == .waitEnded(unit: "w-\(i)", outcome: .started) }
                #expect(ended.map { released[$0 + 1].unit } == "w-\(i)")
            }
        }
    }
}
