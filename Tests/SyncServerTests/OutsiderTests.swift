import Glibc
import Foundation
import SyncClient
import SyncProtocol
import SyncServer
import SyncTestSupport
import Testing

/// What an outsider who read docs/PROTOCOL.md tries: connect as another user, flood the connection limit, send
/// garbage in bulk, subscribe and stop reading. Each gets a clear answer at once, and nobody else waits.
@Suite("Outsiders")
struct OutsiderTests {
    @Test func anotherUserIsRefusedWhenItConnectsBeforeAnyFrameIsRead() async throws {
        let log = LogRecorder()
        let agent = try await InProcessAgent.start(configure: {
            $0.allowedPeerUIDs = [4_000_000_123]
            $0.helloTimeout = .seconds(120)
            $0.logger = log.logger()
        })
        defer { Task { await agent.stop() } }
        // Several strangers, each told at once without sending a byte, then closed.
        for _ in 0..<3 {
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            raw.setReadTimeout(30)
            let refusal = try await raw.readFrame()
            #expect(refusal?.errorCode == "permission_denied")
            #expect(refusal?["id"] == .null)
            // Whatever it sends now is never parsed: the connection is already closed.
            await raw.send(#"{"id":1,"type":"hello","version":1}"# + "\n")
            #expect(try await raw.readFrame() == nil)
        }
        // One line for the first refusal; repeats are counted, not each logged.
        #expect(log.count("refused a client of another user") == 1)
        await agent.stop()
    }

    @Test func connectionsPastTheLimitAreRefusedAtOnceAndClosed() async throws {
        let agent = try await InProcessAgent.start(configure: {
            $0.limits.connections = 2
            $0.helloTimeout = .seconds(120)
        })
        defer { Task { await agent.stop() } }
        let first = try await agent.client()
        defer { first.close() }
        let second = try await agent.client()
        defer { second.close() }
        for _ in 0..<20 {
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            raw.setReadTimeout(30)
            let refusal = try await raw.readFrame()
            #expect(refusal?.errorCode == "limit_exceeded")
            #expect(refusal?.errorMessage.contains("--max-connections") == true)
            #expect(try await raw.readFrame() == nil)
        }
        // The client library reports the refusal as the agent's error.
        let error = await #expect(throws: WireError.self) { _ = try await agent.client() }
        #expect(error?.code == .limitExceeded)
        try await first.ping()
        await agent.stop()
    }

    @Test func aClientSendingThousandsOfBadFramesIsLoggedOnce() async throws {
        let log = LogRecorder()
        let agent = try await InProcessAgent.start(configure: { $0.logger = log.logger() })
        defer { Task { await agent.stop() } }
        let raw = try RawConnection(path: agent.socketPath.path)
        defer { raw.close() }
        try await raw.hello()
        let count = 2_000
        var burst = ""
        for index in 0..<count {
            burst += "not json \(index)\n"
            burst += #"{"id":\#(index),"type":"ping","extra":1}"# + "\n"
            burst += #"{"id":\#(index),"type":"frob"}"# + "\n"
        }
        await raw.send(burst + #"{"id":999999,"type":"ping"}"# + "\n")
        var replies = 0
        while let frame = try await raw.readFrame() {
            replies += 1
            if frame["id"] == 999999 { break }
        }
        #expect(replies == 3 * count + 1)
        #expect(log.count("refused a frame that is not JSON") == 1)
        #expect(log.count("refused a bad request") == 1)
        raw.close()
        // When the client leaves, one line says how many were not logged.
        #expect(await log.waitFor("bad frames and requests"))
        #expect(log.all.contains { $0.contains("bad frames and requests") && $0.contains("\(3 * count)") })
        await agent.stop()
    }

    @Test func aSubscriberThatFallsBehindIsToldTooSlowWithTheSequenceToResumeFrom() async throws {
        // A dropped client that does not read at once must still get its notice: the agent does not cut the
        // connection after a linger while the notice waits behind megabytes of events.
        // (The burst may take long on a loaded machine: the stall timeout must not cut the reader meanwhile.)
        let agent = try await InProcessAgent.start(configure: {
            $0.closeLinger = .nanoseconds(1)
            $0.stallTimeout = .seconds(600)
        })
        defer { Task { await agent.stop() } }
        let slow = try RawConnection(path: agent.socketPath.path)
        defer { slow.close() }
        try await slow.hello()
        await slow.send(#"{"id":9,"type":"subscribe"}"# + "\n")
        let writer = try await agent.client("writer")
        defer { writer.close() }
        let reason = String(repeating: "r", count: 1000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<12_000 {
                group.addTask { try await writer.fail("unit-\(i)", reason: reason) }
            }
            try await group.waitForAll()
        }
        try await writer.ping()
        var lastSequence: Int64 = 0
        var notice: JSON?
        while let frame = try await slow.readFrame() {
            if frame["push"] == "event", let sequence = frame["event"]?["seq"]?.int64Value {
                lastSequence = sequence
            } else if frame["id"] == 9, frame["ok"] == false {
                notice = frame
                break
            }
        }
        let tooSlow = try #require(notice, "the subscriber got no too_slow notice before the connection ended")
        #expect(tooSlow.errorCode == "too_slow")
        #expect(tooSlow["error"]?["since"]?.int64Value == lastSequence)
        #expect(tooSlow.errorMessage.contains("since=\(lastSequence)"))
        // The connection goes on: the same client resumes where it was dropped and misses nothing.
        await slow.send(#"{"id":10,"type":"subscribe","since":\#(lastSequence)}"# + "\n")
        let next = try await slow.readFrame()
        #expect(next?["push"] == "event")
        #expect(next?["event"]?["seq"]?.int64Value == lastSequence + 1)
        await agent.stop()
    }

    @Test func aRepeatedStartWithTheSameTokenSaysItDidNotWait() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            let first = try await raw.request(#"{"id":1,"type":"start","unit":"u","token":"t1"}"#)
            #expect(first?["result"]?["waited"] == false)
            let again = try await raw.request(#"{"id":2,"type":"start","unit":"u","token":"t1"}"#)
            #expect(again?["ok"] == true)
            #expect(again?["result"]?["waited"] == false)
            #expect(again?["result"]?["unsatisfied_at_start"] == [])
        }
    }

    @Test func aCarriageReturnBeforeTheNewlineDoesNotCountTowardTheFrameSize() async throws {
        let agent = try await InProcessAgent.start(configure: { $0.maxFrameBytes = 1024 })
        defer { Task { await agent.stop() } }
        let raw = try RawConnection(path: agent.socketPath.path)
        defer { raw.close() }
        try await raw.hello()
        let ping = #"{"id":1,"type":"ping"}"#
        let full = ping + String(repeating: " ", count: 1024 - ping.utf8.count)
        // Exactly the limit, sent in two writes so the `\r` arrives alone at the end of the first.
        await raw.send(full + "\r")
        await raw.send("\n")
        #expect(try await raw.readFrame()?["ok"] == true)
        await raw.send(full + "\r\n")
        #expect(try await raw.readFrame()?["ok"] == true)
        // One byte more is over it, with or without the `\r`.
        await raw.send(full + " \r\n")
        #expect(try await raw.readFrame()?.errorCode == "frame_too_large")
        await agent.stop()
    }
}
