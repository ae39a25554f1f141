import Glibc
import Foundation
import Logging
import SyncOS
import SyncProtocol
import SyncServer
import SyncTestSupport
import Testing

/// The socket directory is checked on every start: another user must not be able to replace the socket.
/// (Default directory modes and symlinks: `ServerLifecycleTests`; the real binary as another user: `FaultTests`.)
@Suite("Socket directory")
struct SocketDirectoryTests {
    private func configuration(_ path: String, source: SocketPath.Source = .flag) -> AgentConfiguration {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return AgentConfiguration(socketPath: SocketPath(path: path, source: source), logger: logger)
    }

    private func refusal(_ path: String, source: SocketPath.Source = .flag) async -> String? {
        do {
            let server = try await SyncServer.start(configuration(path, source: source))
            await server.shutdown()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(.enabled(if: getuid() == 0, "needs root to give a directory to another user"))
    func aDefaultDirectoryOwnedByAnotherUserIsRefused() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let foreign = directory.file("foreign")
        #expect(mkdir(foreign, 0o700) == 0)
        #expect(chown(foreign, 65534, 65534) == 0)
        let message = await refusal(foreign + "/agent.sock", source: .defaultDirectory)
        #expect(message?.contains("belongs to uid 65534, not to you") == true, "\(message ?? "started")")
        // Nothing was created in it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: foreign).isEmpty)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to give a directory to another user"))
    func aChosenDirectoryOwnedByAnotherUserIsRefused() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let foreign = directory.file("foreign")
        #expect(mkdir(foreign, 0o755) == 0)
        #expect(chown(foreign, 65534, 65534) == 0)
        let message = await refusal(foreign + "/agent.sock")
        #expect(message?.contains("belongs to uid 65534") == true, "\(message ?? "started")")
        #expect(message?.contains("could replace the socket") == true)
    }

    @Test func aChosenDirectoryAnyoneCanWriteWithoutTheStickyBitIsRefused() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let open = directory.file("open")
        #expect(mkdir(open, 0o700) == 0)
        chmod(open, 0o777)
        let message = await refusal(open + "/agent.sock")
        #expect(message?.contains("has mode 777: anyone may replace the socket") == true, "\(message ?? "started")")
        // With the sticky bit (as /tmp) others cannot remove what is ours: fine.
        chmod(open, 0o1777)
        #expect(await refusal(open + "/agent.sock") == nil)
    }

    @Test func aDefaultDirectoryThatIsASymlinkIsRefusedOnEveryStart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let real = directory.file("real")
        let path = directory.file("link") + "/agent.sock"
        // First start: the agent creates the directory itself.
        let server = try await SyncServer.start(
            configuration(directory.file("link/agent.sock"), source: .defaultDirectory))
        await server.shutdown()
        // Someone swaps it for a symlink to a directory of theirs between two starts.
        #expect(rename(directory.file("link"), real) == 0)
        #expect(symlink(real, directory.file("link")) == 0)
        let message = await refusal(path, source: .defaultDirectory)
        #expect(message?.contains("is a symbolic link; refusing to use it") == true, "\(message ?? "started")")
    }
}

/// The agent applies the client's rules (`SocketPath.checkSafety()`): group members are others, and whoever can
/// write a directory above the socket's can rename it away.
@Suite("Socket directory: group and ancestors")
struct SocketDirectoryAncestorTests {
    private func refusal(_ path: String) async -> String? {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let configuration = AgentConfiguration(socketPath: SocketPath(path: path, source: .flag), logger: logger)
        do {
            let server = try await SyncServer.start(configuration)
            await server.shutdown()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aGroupWritableDirectoryWithoutTheStickyBitIsRefused() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let shared = directory.file("group")
        #expect(mkdir(shared, 0o700) == 0)
        chmod(shared, 0o770)
        let message = await refusal(shared + "/agent.sock")
        #expect(message?.contains("has mode 770: its group may replace the socket") == true, "\(message ?? "started")")
    }

    @Test func aPrivateDirectoryInsideAWorldWritableParentIsRefused() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let parent = directory.file("open")
        #expect(mkdir(parent, 0o700) == 0)
        chmod(parent, 0o777)
        let own = parent + "/own"
        #expect(mkdir(own, 0o700) == 0)
        let message = await refusal(own + "/agent.sock")
        let expected = "\(parent), above socket directory \(own), has mode 777"
        #expect(message?.contains(expected) == true, "\(message ?? "started")")
    }
}
