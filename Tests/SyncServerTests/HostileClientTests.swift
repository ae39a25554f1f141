import Glibc
import Foundation
import SyncClient
import SyncProtocol
import SyncServer
import SyncTestSupport
import Testing

/// Clients that misbehave on purpose: for each, the agent answers with an error or closes that one connection,
/// logs it once, and serves everyone else meanwhile. (More malformed frames: `BadInputTests`.)
@Suite("Hostile clients")
struct HostileClientTests {
    private func start(_ log: LogRecorder, _ configure: @escaping (inout AgentConfiguration) -> Void = { _ in })
        async throws -> InProcessAgent
    {
        try await InProcessAgent.start(configure: {
            $0.logger = log.logger(level: .info)
            configure(&$0)
        })
    }

    private func stillServes(_ agent: InProcessAgent) async throws {
        let client = try await agent.client()
        defer { client.close() }
        _ = try await client.start("alive-\(UInt64.random(in: 0 ... .max))")
    }

    @Test func a100MegabyteFrameWithoutANewlineIsRefusedWhileOthersAreServed() async throws {
        let log = LogRecorder()
        let agent = try await start(log)
        defer { Task { await agent.stop() } }
        let raw = try RawConnection(path: agent.socketPath.path)
        defer { raw.close() }
        try await raw.hello()
        // Send 100 MB of 'x' from another thread, as fast as the agent takes it, until it hangs up.
        let sender = Task.detached { () -> Int in
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
            var sent = 0
            while sent < 100 << 20, await raw.send(chunk) { sent += chunk.count }
            return sent
        }
        try await stillServes(agent)
        raw.setReadTimeout(30)
        let reply = try await raw.readFrame()
        #expect(reply?.errorCode == "frame_too_large")
        #expect(try await raw.readFrame() == nil)
        // The agent hung up soon after the limit: it neither read nor kept the 100 MB.
        let sent = await sender.value
        #expect(sent >= ProtocolVersion.maxFrameBytes && sent < 100 << 20)
        try await stillServes(agent)
        #expect(log.count("refused an oversized frame") == 1)
        await agent.stop()
    }

    @Test func anOversizedFrameEndsTheParkedWaitsOfItsConnection() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            #expect(try await raw.request(#"{"id":1,"type":"want","unit":"u","depends_on":["d"]}"#)?["ok"] == true)
            #expect(try await raw.request(#"{"id":2,"type":"start","unit":"u"}"#)?["push"] == "waiting")
            await raw.send([UInt8](repeating: UInt8(ascii: "x"), count: ProtocolVersion.maxFrameBytes + 10))
            #expect(try await raw.readFrame()?.errorCode == "frame_too_large")
            #expect(try await raw.readFrame() == nil)
            // The parked start went with the connection: it does not start `u` for a client that is gone.
            let client = try await agent.client()
            defer { client.close() }
            #expect(await eventually { (try? await client.status("u").info?.waiters) == 0 })
            _ = try await client.start("d")
            try await client.complete("d")
            #expect(try await client.status("u").info?.status == .pending)
            let (_, events) = try await client.history()
            #expect(events.contains { "\($0.json.compact)".contains(#""outcome":"disconnected""#) })
        }
    }

    @Test func aClientThatStopsReadingItsRepliesIsDisconnectedWhileOthersAreServed() async throws {
        let log = LogRecorder()
        let agent = try await start(log) { $0.stallTimeout = .milliseconds(300) }
        defer { Task { await agent.stop() } }
        let setup = try await agent.client()
        defer { setup.close() }
        for i in 0..<200 { try await setup.want("unit-\(i)", dependsOn: ["dependency-with-a-long-name-\(i)"]) }
        // Ask for the whole list 2,000 times (about 60 MB of replies) and never read a byte of them.
        let greedy = try RawConnection(path: agent.socketPath.path)
        defer { greedy.close() }
        try await greedy.hello()
        let requests = (1...2_000).map { #"{"id":\#($0),"type":"list"}"# + "\n" }.joined()
        await greedy.send(requests)
        #expect(await log.waitFor("disconnected a client that stopped reading its replies"))
        try await stillServes(agent)
        // What was queued for it is gone with it: reading now ends at the end of what the kernel held.
        greedy.setReadTimeout(10)
        var frames = 0
        while (try? await greedy.readFrame()) != nil { frames += 1 }
        #expect(frames < 2_000)
        #expect(log.count("disconnected a client that stopped reading its replies") == 1)
        await agent.stop()
    }

    @Test func aSlowReaderThatCatchesUpIsNotDisconnected() async throws {
        let log = LogRecorder()
        let agent = try await start(log) { $0.stallTimeout = .seconds(5) }
        defer { Task { await agent.stop() } }
        let setup = try await agent.client()
        defer { setup.close() }
        for i in 0..<200 { try await setup.want("unit-\(i)", dependsOn: ["dependency-with-a-long-name-\(i)"]) }
        let reader = try RawConnection(path: agent.socketPath.path)
        defer { reader.close() }
        try await reader.hello()
        // About 9 MB of replies: more than the agent queues for one client, so it stops reading it for a while.
        await reader.send((1...300).map { #"{"id":\#($0),"type":"list"}"# + "\n" }.joined())
        try await Task.sleep(for: .milliseconds(300))  // stalled for a while, but less than the timeout
        try await stillServes(agent)
        // Count the replies without parsing 9 MB of JSON.
        var frames = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        reader.setReadTimeout(20)
        while frames < 300 {
            let count = chunk.withUnsafeMutableBytes { read(reader.fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            frames += chunk[..<count].filter { $0 == UInt8(ascii: "\n") }.count
        }
        #expect(frames == 300)
        #expect(try await reader.request(#"{"id":301,"type":"ping"}"#)?["id"] == 301)
        #expect(log.count("disconnected a client") == 0)
        await agent.stop()
    }

    @Test func aClientThatConnectsAndSendsNothingIsClosedAfterTheHelloTimeout() async throws {
        let log = LogRecorder()
        let agent = try await start(log) { $0.helloTimeout = .milliseconds(200) }
        defer { Task { await agent.stop() } }
        let idle = try RawConnection(path: agent.socketPath.path)
        defer { idle.close() }
        try await stillServes(agent)
        idle.setReadTimeout(10)
        let reply = try await idle.readFrame()
        #expect(reply?.errorCode == "hello_required")
        #expect(reply?.errorMessage.contains("no hello within 200 ms") == true)
        #expect(try await idle.readFrame() == nil)
        #expect(log.count("closed a connection that sent no hello in time") == 1)
        // A client that said hello may stay idle as long as it likes (a subscriber, a parked start).
        let quiet = try RawConnection(path: agent.socketPath.path)
        defer { quiet.close() }
        try await quiet.hello()
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await quiet.request(#"{"id":1,"type":"ping"}"#)?["ok"] == true)
        await agent.stop()
    }

    @Test func binaryGarbageWithNewlinesGetsErrorsAndTheConnectionGoesOn() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            var generator = SystemRandomNumberGenerator()
            let garbage = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let lines = garbage.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            await raw.send(garbage + Array("\n".utf8))
            await raw.send(#"{"id":99,"type":"ping"}"# + "\n")
            raw.setReadTimeout(10)
            var errors = 0
            while let frame = try await raw.readFrame() {
                if frame["id"] == 99 { break }
                if frame["ok"] == false { errors += 1 }
            }
            // Every non-empty line got its error (an empty line is a frame too: `bad_frame`).
            #expect(errors == lines)
            let client = try await agent.client()
            defer { client.close() }
            try await client.ping()
        }
    }

    @Test func wrongTypesAndUnknownFieldsInEveryRequestAreRefused() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            let frames = [
                #"{"id":1,"type":"hello","version":"1"}"#, #"{"id":1,"type":"ping","extra":1}"#,
                #"{"id":1,"type":"want","unit":"a","depends_on":[1]}"#,
                #"{"id":1,"type":"want","unit":["a"],"depends_on":["b"]}"#,
                #"{"id":1,"type":"start","unit":"a","timeout_ms":-1}"#,
                #"{"id":1,"type":"start","unit":"a","wait":"no"}"#,
                #"{"id":1,"type":"complete"}"#, #"{"id":1,"type":"fail","unit":"a","reason":7}"#,
                #"{"id":1,"type":"status","unit":null}"#, #"{"id":1,"type":"list","all":true}"#,
                #"{"id":1,"type":"wait","units":"a"}"#, #"{"id":1,"type":"wait","all":1}"#,
                #"{"id":1,"type":"cancel","request":"2"}"#, #"{"id":1,"type":"subscribe","since":-5}"#,
                #"{"id":1,"type":"snapshot","x":null}"#, #"{"id":1,"type":"history","since":0}"#,
                #"{"id":1.5,"type":"ping"}"#, #"{"id":-1,"type":"ping"}"#, #"{"id":1,"type":7}"#,
                #"{"id":99999999999999999999,"type":"ping"}"#, #"{"id":1,"type":"ping","id":2}"#,
            ]
            for frame in frames {
                let reply = try await raw.request(frame)
                #expect(reply?["ok"] == false, "\(frame) -> \(String(describing: reply))")
                #expect(["bad_request", "bad_frame"].contains(reply?.errorCode ?? ""), "\(frame)")
            }
            #expect(try await raw.request(#"{"id":5,"type":"ping"}"#)?["ok"] == true)
        }
    }

    @Test func manyFramesInOneWriteAreAnsweredInOrder() async throws {
        try await withAgent { agent in
            let raw = try RawConnection(path: agent.socketPath.path)
            defer { raw.close() }
            try await raw.hello()
            await raw.send((1...1_000).map { #"{"id":\#($0),"type":"start","unit":"u\#($0)"}"# + "\n" }.joined())
            for id in 1...1_000 {
                let reply = try await raw.readFrame()
                #expect(reply?["id"] == .int(Int64(id)))
                #expect(reply?["ok"] == true)
            }
        }
    }
}
