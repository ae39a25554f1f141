import Foundation
import SyncClient
import SyncCore
import SyncProtocol
@testable import SyncServer
import SyncTestSupport
import Testing

/// Each limit refuses the one request that would cross it, with `limit_exceeded` and a message that names the
/// limit, its value and the flag that raises it; everything else keeps working.
@Suite("Limits")
struct LimitTests {
    private func withLimitedAgent(
        _ adjust: @escaping (inout AgentLimits) -> Void, log: LogRecorder = LogRecorder(),
        _ body: (InProcessAgent) async throws -> Void
    ) async throws {
        let agent = try await InProcessAgent.start(configure: {
            adjust(&$0.limits)
            $0.logger = log.logger(level: .notice)
        })
        do {
            try await body(agent)
        } catch {
            await agent.stop()
            throw error
        }
        await agent.stop()
    }

    /// Checks that `body` throws `limit_exceeded` whose message contains every one of `words`.
    private func expectLimit(_ words: String..., body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected limit_exceeded")
        } catch let error as WireError {
            #expect(error.code == .limitExceeded, "\(error)")
            for word in words { #expect(error.message.contains(word), "\(error.message)") }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theDefaultsAllowTheBenchmarksScale() {
        let limits = AgentLimits.standard
        #expect(limits.units >= 10_000)
        #expect(limits.edgesPerUnit >= 10_000)
        #expect(limits.connections >= 10_000)
        #expect(limits.parkedWaits >= 10_000)
        #expect(limits.inFlightPerConnection >= 10_000)
    }

    @Test func units() async throws {
        let log = LogRecorder()
        try await withLimitedAgent({ $0.units = 3 }, log: log) { agent in
            let client = try await agent.client()
            defer { client.close() }
            for unit in ["a", "b", "c"] { _ = try await client.start(unit) }
            await expectLimit("too many units", "at most 3", #""d""#, "--max-units") { _ = try await client.start("d") }
            await expectLimit("--max-units") { try await client.want("d", dependsOn: ["a"]) }
            await expectLimit("--max-units") { _ = try await client.fail("d", reason: nil) }
            // Nothing changed, and the units there still work, also as dependencies of a new name.
            #expect(try await client.status("d").info == nil)
            try await client.want("c", dependsOn: ["not-registered"])
            try await client.complete("a")
            #expect(try await client.list().map(\.name) == ["a", "b", "c"])
            // The first refusal of a kind on a connection is logged; the repeats are counted.
            #expect(log.count("too many units") == 1)
        }
    }

    @Test func edgesPerUnit() async throws {
        try await withLimitedAgent({ $0.edgesPerUnit = 2 }) { agent in
            let client = try await agent.client()
            defer { client.close() }
            try await client.want("u", dependsOn: ["a", "b"])
            try await client.want("u", dependsOn: ["b", "a"])  // no new edge: fine at the limit
            await expectLimit(
                "too many dependencies", "at most 2", "has 2 and would get 1 more", "--max-edges-per-unit"
            ) {
                try await client.want("u", dependsOn: ["a", "c"])
            }
            #expect(try await client.status("u").dependencies.map(\.dependsOn) == ["a", "b"])
            await expectLimit("would get 3 more") { try await client.want("v", dependsOn: ["a", "b", "c"]) }
            try await client.want("v", dependsOn: ["c"])
        }
    }

    @Test func connections() async throws {
        try await withLimitedAgent({ $0.connections = 2 }) { agent in
            let first = try await agent.client()
            let second = try await agent.client()
            let error = await #expect(throws: WireError.self) { _ = try await agent.client() }
            #expect(error?.code == .limitExceeded)
            #expect(error?.message.contains("at most 2") == true)
            #expect(error?.message.contains("--max-connections") == true)
            try await first.ping()
            try await second.ping()
            first.close()
            // A place is free again once a client leaves.
            #expect(await eventually { (try? await agent.client().ping()) != nil })
            second.close()
        }
    }

    @Test func requestsInFlightPerConnection() async throws {
        try await withLimitedAgent({ $0.inFlightPerConnection = 2 }) { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            #expect(try await raw.request(#"{"id":1,"type":"want","unit":"u","depends_on":["d"]}"#)?["ok"] == true)
            #expect(try await raw.request(#"{"id":2,"type":"start","unit":"u"}"#)?["push"] == "waiting")
            #expect(try await raw.request(#"{"id":3,"type":"wait","units":["d"]}"#)?["push"] == "waiting")
            let third = try await raw.request(#"{"id":4,"type":"subscribe"}"#)
            #expect(third?.errorCode == "limit_exceeded")
            #expect(third?.errorMessage.contains("--max-requests-per-connection") == true)
            #expect(try await raw.request(#"{"id":5,"type":"wait","units":["d"]}"#)?.errorCode == "limit_exceeded")
            // What needs no waiting still works on this connection…
            #expect(try await raw.request(#"{"id":6,"type":"start","unit":"ready"}"#)?["ok"] == true)
            #expect(try await raw.request(#"{"id":7,"type":"wait","units":["ready-done"],"timeout_ms":1}"#) != nil)
            // …and another connection parks freely.
            let other = try await agent.client()
            defer { other.close() }
            let (parked, signal) = AsyncStream<Void>.makeStream()
            let waiter = Task { try await other.wait(for: ["d"]) { _ in signal.yield() } }
            for await _ in parked { break }  // the agent said the wait is parked
            _ = try await other.start("d")
            try await other.complete("d")
            #expect(try await waiter.value == ["d"])
        }
    }

    @Test func parkedWaits() async throws {
        try await withLimitedAgent({ $0.parkedWaits = 2 }) { agent in
            let a = try await agent.client()
            let b = try await agent.client()
            defer { a.close(); b.close() }
            try await a.want("x", dependsOn: ["gate"])
            try await a.want("y", dependsOn: ["gate"])
            let x = Task { try await a.start("x") }
            let y = Task { try await b.start("y") }
            #expect(await eventually { (try? await a.status("x").info?.waiters) == 1 })
            #expect(await eventually { (try? await a.status("y").info?.waiters) == 1 })
            await expectLimit("at most 2", "--max-parked-waits") { _ = try await b.wait(for: ["gate"]) }
            try await a.want("z", dependsOn: ["gate"])
            await expectLimit("--max-parked-waits") { _ = try await b.start("z") }
            // Waits already parked are released as usual, and free their places.
            _ = try await a.start("gate")
            try await a.complete("gate")
            _ = try await x.value
            _ = try await y.value
            _ = try await b.start("z")
        }
    }

    @Test func subscribers() async throws {
        try await withLimitedAgent({ $0.subscribers = 1 }) { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            #expect(try await raw.request(#"{"id":1,"type":"subscribe"}"#)?["push"] == "snapshot")
            let second = try RawConnection(path: agent.socketPath.path)
            defer { second.close() }
            try await second.hello()
            let refused = try await second.request(#"{"id":1,"type":"subscribe"}"#)
            #expect(refused?.errorCode == "limit_exceeded")
            #expect(refused?.errorMessage.contains("--max-subscribers") == true)
            #expect(try await raw.request(#"{"id":2,"type":"cancel","request":1}"#)?.errorCode == "cancelled")
            _ = try await raw.readFrame()  // the cancel's own reply
            #expect(try await second.request(#"{"id":2,"type":"subscribe"}"#)?["push"] == "snapshot")
        }
    }

    @Test func frameSizeIsConfigurable() async throws {
        let agent = try await InProcessAgent.start(configure: { $0.maxFrameBytes = 2048 })
        defer { Task { await agent.stop() } }
        let raw = try RawConnection(path: agent.socketPath.path)
        defer { raw.close() }
        let hello = try await raw.request(#"{"id":0,"type":"hello","version":1}"#)
        #expect(hello?["result"]?["max_frame_bytes"] == 2048)
        let long = #"{"id":1,"type":"status","unit":""# + String(repeating: "x", count: 3000) + #""}"#
        let reply = try await raw.request(long)
        #expect(reply?.errorCode == "frame_too_large")
        #expect(reply?.errorMessage.contains("2048") == true)
        #expect(try await raw.readFrame() == nil)
        await agent.stop()
    }

    @Test func tokensAndClientNamesHaveAMaximumLength() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            let long = String(repeating: "t", count: 256)
            let hello = try await raw.request(#"{"id":0,"type":"hello","version":1,"client":"\#(long)"}"#)
            #expect(hello?.errorCode == "limit_exceeded")
            #expect(hello?.errorMessage.contains("256 bytes long; at most 255") == true)
            try await raw.hello()
            let start = try await raw.request(#"{"id":1,"type":"start","unit":"u","token":"\#(long)"}"#)
            #expect(start?.errorCode == "limit_exceeded")
            #expect(try await raw.request(#"{"id":2,"type":"status","unit":"u"}"#)?["result"]?["info"] == .null)
        }
    }

    @Test func namesLongerThan255BytesAreRefused() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            let error = await #expect(throws: WireError.self) {
                _ = try await client.start(String(repeating: "n", count: 256))
            }
            #expect(error?.code == .invalidName)
            _ = try await client.start(String(repeating: "n", count: 255))
        }
    }

    /// The agent cuts a huge reason before the graph works through it (its cost is bounded by the cut, not by the
    /// request's size; sync-bench times requests, this test does not).
    @Test func aHugeReasonIsKeptShort() async throws {
        try await withAgent { agent in
            let client = try await agent.client()
            defer { client.close() }
            let reason = String(repeating: "é", count: 400_000)  // 800 KB
            let cut = AgentCore.shortened(reason)
            #expect(cut.utf8.count <= 4 * AgentLimits.maxReasonBytes && reason.hasPrefix(cut))
            _ = try await client.fail("u", reason: reason)
            let kept = try #require(try await client.status("u").info?.reason)
            #expect(kept.utf8.count <= AgentLimits.maxReasonBytes)
            #expect(kept.hasSuffix("…"))
        }
    }
}
