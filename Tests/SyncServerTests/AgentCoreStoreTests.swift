@preconcurrency import Glibc
import Logging
import NIOCore
import NIOEmbedded
import SyncCore
import SyncOS
import SyncProtocol
import Testing

@testable import SyncServer

/// The agent's core against an in-memory store, on NIO's test channel and virtual clock: no socket, no disk, no
/// waiting. What a client is told follows what the store holds.
@Suite("Agent core and its store")
struct AgentCoreStoreTests {
    /// One core with one client connection on an embedded loop.
    private final class Harness {
        let loop = EmbeddedEventLoop()
        let store: InMemoryEventStore
        let core: AgentCore
        let channel: EmbeddedChannel

        init(store: InMemoryEventStore = InMemoryEventStore(), retry: Duration = .seconds(1)) throws {
            self.store = store
            var logger = Logger(label: "core-test")
            logger.logLevel = .critical
            var configuration = AgentConfiguration(
                socketPath: SocketPath(path: "/nonexistent/core.sock", source: .flag), logger: logger,
                clock: { Timestamp(microseconds: 1) })
            configuration.journalRetryInterval = retry
            core = AgentCore(configuration: configuration, loop: loop, pid: 1, store: store, restored: try store.load())
            channel = EmbeddedChannel(loop: loop)
            let peer = PeerCredentials(pid: 1, uid: UInt32(getuid()), gid: UInt32(getgid()))
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: 4096)))
            try channel.pipeline.syncOperations.addHandler(ConnectionHandler(core: core, peer: peer))
            try channel.connect(to: SocketAddress(unixDomainSocketPath: "/nonexistent/core.sock")).wait()
            #expect(try send(#"{"id":0,"type":"hello","version":1}"#).count == 1)
        }

        /// Sends one frame, runs the loop until nothing is left to do. - Returns: the frames the client got.
        @discardableResult
        func send(_ frame: String) throws -> [JSON] {
            try channel.writeInbound(ByteBuffer(string: frame + "\n"))
            return try received()
        }

        /// Runs the loop. - Returns: the frames the client got meanwhile.
        func received() throws -> [JSON] {
            loop.run()
            var frames: [JSON] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
                for line in String(buffer: buffer).split(separator: "\n") {
                    frames.append(try JSON.parse(String(line)))
                }
            }
            return frames
        }
    }

    private func units(_ store: InMemoryEventStore) -> [String] {
        store.state.snapshot.units.map(\.name)
    }

    @Test func aChangeIsAcknowledgedOnlyOnceTheStoreHoldsIt() throws {
        let harness = try Harness()
        harness.store.holdAppends()
        #expect(try harness.send(#"{"id":1,"type":"want","unit":"a","depends_on":["b"]}"#).isEmpty)
        #expect(harness.store.appendCount == 1)
        #expect(try harness.send(#"{"id":2,"type":"ping"}"#).isEmpty, "a later reply does not overtake it")
        #expect(units(harness.store).isEmpty)
        harness.store.releaseHeld()
        let replies = try harness.received()
        #expect(replies.map { $0["id"]?.compact } == ["1", "2"])
        #expect(replies.first?["ok"] == true)
        #expect(units(harness.store) == ["a"])
    }

    @Test func numberingGoesOnFromWhatTheStoreHolds() throws {
        let restored = GraphSnapshot(
            sequence: 7,
            units: [
                UnitInfo(
                    name: "old", status: .started, isReady: true, registeredAt: Timestamp(microseconds: 1),
                    since: Timestamp(microseconds: 1))
            ], edges: [])
        let store = InMemoryEventStore(snapshot: restored)
        let harness = try Harness(store: store)
        let reply = try harness.send(#"{"id":1,"type":"complete","unit":"old"}"#)
        // The in-memory store refuses an event that does not follow its last one, so an ok proves the numbering.
        #expect(reply.first?["ok"] == true, "\(reply)")
        #expect(store.state.snapshot.sequence == 8)
        #expect(store.state.events.map(\.sequence) == [8])
    }

    @Test func anUnavailableStoreUndoesTheChangeAndRefusesChangesUntilItRecovers() throws {
        let harness = try Harness()
        harness.store.failAppends(1, with: StoreFailure(description: "store unavailable"))
        let undone = try harness.send(#"{"id":1,"type":"want","unit":"a","depends_on":["b"]}"#)
        #expect(undone.first?["error"]?["code"] == "journal_unavailable", "\(undone)")
        let refused = try harness.send(#"{"id":2,"type":"complete","unit":"a"}"#)
        #expect(refused.first?["error"]?["code"] == "journal_unavailable", "\(refused)")
        #expect(refused.first?["error"]?["message"]?.stringValue?.contains("cannot store changes") == true)
        let read = try harness.send(#"{"id":3,"type":"list"}"#)
        #expect(read.first?["ok"] == true, "reads keep working")
        #expect(units(harness.store).isEmpty)
        harness.loop.advanceTime(by: .seconds(1))
        let accepted = try harness.send(#"{"id":4,"type":"want","unit":"a","depends_on":["b"]}"#)
        #expect(accepted.first?["ok"] == true, "\(accepted)")
        #expect(units(harness.store) == ["a"])
    }
}
