import Foundation
import Logging
import SyncClient
import SyncOS
import SyncProtocol
import SyncServer
import SyncTestSupport
import Synchronization
import Testing

@Suite("Agent start and stop")
struct ServerLifecycleTests {
    private func configuration(_ path: String, source: SocketPath.Source = .flag) -> AgentConfiguration {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return AgentConfiguration(socketPath: SocketPath(path: path, source: source), logger: logger)
    }

    @Test func startStopRemovesTheSocket() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("nested/dir/s")
        let server = try await SyncServer.start(configuration(path))
        let socketMode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(socketMode == 0o600)
        let directoryMode = try #require(
            try FileManager.default.attributesOfItem(atPath: directory.file("nested/dir"))[.posixPermissions] as? Int)
        #expect(directoryMode == 0o700)
        await server.shutdown()
        #expect(!FileManager.default.fileExists(atPath: path))
        await server.shutdown()  // idempotent
    }

    /// `sync-agent` waits for its server to stop after handing it a stop signal that came while it started (its
    /// journal loading): that shutdown may be over before the wait begins. The wait once asked the stopped event
    /// loop to register it, which never answered, and the agent hung in `sigsuspend` after SIGTERM ("Cannot
    /// schedule tasks on an EventLoop that has already shut down").
    @Test(arguments: [false, true])
    func waitingForAStopThatIsOverReturns(withClient: Bool) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let server = try await SyncServer.start(configuration(directory.socket))
        let client = withClient ? try await SyncClient.connect(to: server.socketPath, client: "open") : nil
        await server.shutdown()
        let returned = Atomic<Bool>(false)
        // Awaited in a task of its own: the old wait never returned, and a test must end.
        Task {
            try await server.waitUntilStopped()
            returned.store(true, ordering: .relaxed)
        }
        #expect(await eventually(seconds: 10) { returned.load(ordering: .relaxed) }, "the wait never returned")
        withExtendedLifetime(client) {}
    }

    /// The umask is the whole process's: an agent in a process that also spawns scripts (sync-top --demo, the
    /// tests) must not change it, even for a moment, or a script spawned then creates files with its mode.
    @Test func startingAgentsLeavesTheProcessUmaskAlone() async throws {
        @Sendable func current() -> String? {
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
            return status.split(separator: "\n").first { $0.hasPrefix("Umask:") }.map(String.init)
        }
        let initial = try #require(current())
        let seen = Mutex<Set<String>>([])
        let done = Atomic<Bool>(false)
        let sampler = Thread {
            while !done.load(ordering: .relaxed) {
                if let value = current() { seen.withLock { _ = $0.insert(value) } }
            }
        }
        sampler.start()
        for _ in 0..<10 {
            let directory = TemporaryDirectory()
            let server = try await SyncServer.start(configuration(directory.socket))
            let mode = try FileManager.default.attributesOfItem(atPath: directory.socket)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            await server.shutdown()
            directory.remove()
        }
        done.store(true, ordering: .relaxed)
        #expect(seen.withLock { $0 } == [initial], "the umask changed while agents started")
    }

    @Test func aLiveAgentIsNeverTakenOver() async throws {
        try await withAgent { agent in
            let error = await #expect(throws: AgentStartError.self) {
                _ = try await SyncServer.start(configuration(agent.socketPath.path))
            }
            #expect(error?.message.contains("another agent is listening on \(agent.socketPath.path)") == true)
            // The first agent still serves.
            let client = try await agent.client()
            try await client.ping()
            client.close()
        }
    }

    @Test func aStaleSocketIsReplaced() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.socket
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        close(fd)  // the file stays, nobody listens: stale
        #expect(FileManager.default.fileExists(atPath: path))
        let server = try await SyncServer.start(configuration(path))
        let client = try await SyncClient.connect(to: server.socketPath)
        try await client.ping()
        client.close()
        await server.shutdown()
    }

    @Test func aFileThatIsNotASocketIsLeftAlone() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = FileManager.default.createFile(atPath: directory.socket, contents: Data("keep".utf8))
        let error = await #expect(throws: AgentStartError.self) {
            _ = try await SyncServer.start(configuration(directory.socket))
        }
        #expect(error?.message.contains("exists and is not a socket") == true)
        #expect(try String(contentsOfFile: directory.socket, encoding: .utf8) == "keep")
    }

    @Test func theDefaultDirectoryMustBePrivate() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let shared = directory.file("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o777)
        let error = await #expect(throws: AgentStartError.self) {
            _ = try await SyncServer.start(configuration(shared + "/agent.sock", source: .defaultDirectory))
        }
        #expect(error?.message.contains("must be 700") == true)
        let link = directory.file("link")
        let target = directory.file("private")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        chmod(target, 0o700)
        symlink(target, link)
        let linkError = await #expect(throws: AgentStartError.self) {
            _ = try await SyncServer.start(configuration(link + "/agent.sock", source: .defaultDirectory))
        }
        #expect(linkError?.message.contains("is a symbolic link") == true)
    }
}

import SyncClient
