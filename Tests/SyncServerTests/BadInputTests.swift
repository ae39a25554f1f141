import SyncClient
import SyncProtocol
import SyncTestSupport
import Testing

/// Bad input of any kind gets a clear error or a clean close, and the agent keeps serving everyone else.
@Suite("Bad input")
struct BadInputTests {
    /// Checks that the agent still serves a fresh client.
    private func stillServes(_ agent: InProcessAgent) async throws {
        let client = try await agent.client()
        defer { client.close() }
        try await client.ping()
    }

    private func code(_ frame: JSON?) -> String? { frame?["error"]?["code"]?.stringValue }

    @Test func aRequestBeforeHelloIsRefused() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            await raw.send(#"{"id":1,"type":"ping"}"# + "\n")
            let reply = try await raw.readFrame()
            #expect(code(reply) == "hello_required")
            #expect(reply?["id"] == .int(1))
            try await raw.hello()
            await raw.send(#"{"id":2,"type":"ping"}"# + "\n")
            #expect(try await raw.readFrame()?["ok"] == .bool(true))
        }
    }

    @Test(arguments: [
        ("not json at all", "bad_frame"),
        ("\u{1}\u{2}\u{FF}garbage", "bad_frame"),
        (#"{"id":1,"type":"ping""#, "bad_frame"),
        ("[1,2,3]", "bad_request"),
        (#"{"type":"ping"}"#, "bad_request"),
        (#"{"id":"one","type":"ping"}"#, "bad_request"),
        (#"{"id":1,"type":"want","unit":"a","depends_on":"b"}"#, "bad_request"),
        (#"{"id":1,"type":"want","unit":"a","depends_on":[]}"#, "bad_request"),
        (#"{"id":1,"type":"start","unit":5}"#, "bad_request"),
        (#"{"id":1,"type":"start","unit":"a","colour":"red"}"#, "bad_request"),
        (#"{"id":1,"type":"launch","unit":"a"}"#, "unknown_type"),
        (#"{"id":1,"type":"start","unit":""}"#, "invalid_name"),
        (#"{"id":1,"type":"cancel","request":99}"#, "unknown_request"),
    ])
    func malformedFramesGetAnErrorAndTheConnectionGoesOn(frame: String, expected: String) async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            await raw.send(frame + "\n")
            let reply = try await raw.readFrame()
            #expect(reply?["ok"] == .bool(false))
            #expect(code(reply) == expected)
            #expect(reply?["error"]?["message"]?.stringValue?.isEmpty == false)
            await raw.send(#"{"id":7,"type":"ping"}"# + "\n")
            #expect(try await raw.readFrame() == JSON.object([("id", 7), ("ok", true), ("result", .object([]))]))
            try await stillServes(agent)
        }
    }

    @Test func anOversizedFrameIsRefusedAndOnlyThatConnectionCloses() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
            var sent = 0
            while sent <= ProtocolVersion.maxFrameBytes, await raw.send(chunk) { sent += chunk.count }
            let reply = try await raw.readFrame()
            #expect(code(reply) == "frame_too_large")
            #expect(try await raw.readFrame() == nil)
            try await stillServes(agent)
        }
    }

    @Test func anUnsupportedVersionIsRefusedAndClosed() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            await raw.send(#"{"id":0,"type":"hello","version":99}"# + "\n")
            let reply = try await raw.readFrame()
            #expect(code(reply) == "unsupported_version")
            #expect(reply?["error"]?["message"]?.stringValue?.contains("protocol version 99 is not supported") == true)
            #expect(try await raw.readFrame() == nil)
            try await stillServes(agent)
        }
    }

    @Test func aFrameSplitAcrossManyWritesIsOneFrame() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            for byte in Array((#"{"id":3,"type":"start","unit":"split"}"# + "\n").utf8) { await raw.send([byte]) }
            #expect(try await raw.readFrame()?["result"]?["unit"] == "split")
        }
    }

    @Test func aDuplicateIDInFlightIsRefused() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            await raw.send(#"{"id":1,"type":"want","unit":"u","depends_on":["d"]}"# + "\n")
            _ = try await raw.readFrame()
            await raw.send(#"{"id":2,"type":"start","unit":"u"}"# + "\n")
            #expect(try await raw.readFrame()?["push"] == "waiting")
            await raw.send(#"{"id":2,"type":"ping"}"# + "\n")
            #expect(code(try await raw.readFrame()) == "duplicate_id")
        }
    }

    @Test func aTruncatedLastFrameIsAnsweredBeforeTheClose() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            await raw.send(#"{"id":1,"type":"pi"#)
            shutdown(raw.fd, Int32(SHUT_WR))
            #expect(code(try await raw.readFrame()) == "bad_frame")
            #expect(try await raw.readFrame() == nil)
            try await stillServes(agent)
        }
    }

    @Test func aClientThatSendsNothingDoesNotBlockOthers() async throws {
        try await withAgent { agent in
            let idle = try RawConnection(path: agent.socketPath.path)
            defer { idle.close() }
            try await stillServes(agent)
        }
    }
}

import Glibc
