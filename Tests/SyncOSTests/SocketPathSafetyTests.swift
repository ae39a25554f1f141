import Testing

@testable import SyncOS

import Glibc

/// The directory rules the agent and every client apply to a socket path (`SocketPath.checkSafety()`): only the
/// user or root may be able to put a socket there. The agent's use of them: `SocketDirectoryTests`; the client's,
/// with a second user: `SquatterTests`.
struct SocketPathSafetyTests {
    private func refusal(_ path: String, _ source: SocketPath.Source = .flag) -> String? {
        do {
            try SocketPath(path: path, source: source).checkSafety()
            return nil
        } catch {
            return error.message
        }
    }

    @Test func aPrivateDirectoryIsSafe() throws {
        let scratch = try ScratchDirectory()
        #expect(refusal(scratch.directory("own") + "/agent.sock") == nil)
        // Missing: nothing can listen there (the agent creates it, 0700).
        #expect(refusal(scratch.path + "/missing/agent.sock") == nil)
        // Shared but sticky, as /tmp: others cannot remove what is not theirs.
        let sticky = scratch.directory("sticky")
        chmod(sticky, 0o1777)
        #expect(refusal(sticky + "/agent.sock") == nil)
    }

    /// A group member can rename the socket away and put theirs in its place.
    @Test(arguments: [0o770, 0o730, 0o2770])
    func aGroupWritableDirectoryWithoutTheStickyBitIsRefused(mode: Int) throws {
        let scratch = try ScratchDirectory()
        let shared = scratch.directory("group")
        chmod(shared, mode_t(mode))
        let message = try #require(refusal(shared + "/agent.sock"))
        let mode = String(mode, radix: 8)
        #expect(message.contains("socket directory \(shared) has mode \(mode): its group may replace"), "\(message)")
        #expect(message.contains("chmod go-w"))
        #expect(message.contains("XDG_RUNTIME_DIR") && message.contains("--socket-path"))
    }

    /// Whoever can write the parent can rename the user's 0700 directory away and create one of their own.
    @Test(arguments: [0o777, 0o775])
    func aPrivateDirectoryInsideAnOpenParentIsRefused(mode: Int) throws {
        let scratch = try ScratchDirectory()
        let parent = scratch.directory("open")
        let own = scratch.directory("open/own")
        chmod(parent, mode_t(mode))
        let message = try #require(refusal(own + "/agent.sock"))
        #expect(message.contains("\(parent), above socket directory \(own), has mode \(String(mode, radix: 8))"))
        // The same for the default directory.
        #expect(refusal(own + "/agent.sock", .defaultDirectory) != nil)
        // The sticky bit closes it.
        chmod(parent, mode_t(mode) | S_ISVTX)
        #expect(refusal(own + "/agent.sock") == nil)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to give a directory to another user"))
    func anAncestorOfAnotherUserIsRefused() throws {
        let scratch = try ScratchDirectory()
        let parent = scratch.directory("theirs")
        let own = scratch.directory("theirs/own")
        #expect(chown(parent, 65_534, 65_534) == 0)
        let message = try #require(refusal(own + "/agent.sock"))
        #expect(message.contains("\(parent), above socket directory \(own), belongs to uid 65534"))
    }

    @Test(.enabled(if: getuid() == 0, "needs root to give a symlink to another user"))
    func aSymlinkOfAnotherUserOnTheWayIsRefused() throws {
        let scratch = try ScratchDirectory()
        let own = scratch.directory("own")
        let link = scratch.path + "/link"
        #expect(symlink(own, link) == 0)
        #expect(refusal(link + "/agent.sock") == nil)
        #expect(lchown(link, 65_534, 65_534) == 0)
        let message = try #require(refusal(link + "/agent.sock"))
        #expect(message.contains("\(link), on the way to socket directory \(link), is a symbolic link of uid 65534"))
    }

    @Test func theDefaultDirectoryMustBeAPrivateRealDirectory() throws {
        let scratch = try ScratchDirectory()
        let open = scratch.directory("open")
        chmod(open, 0o755)
        #expect(refusal(open + "/agent.sock", .defaultDirectory)?.contains("has mode 755; it must be 700") == true)
        let link = scratch.path + "/link"
        #expect(symlink(scratch.directory("real"), link) == 0)
        #expect(refusal(link + "/agent.sock", .defaultDirectory)?.contains("is a symbolic link") == true)
        // Chosen by the user, a symlink of theirs is fine.
        #expect(refusal(link + "/agent.sock", .flag) == nil)
    }

    /// A relative SYNC_AGENT_SOCKET_PATH names a different socket in each working directory.
    @Test func aRelativeEnvironmentPathIsRefused() {
        let message = refusal("agent.sock", .environment)
        #expect(message?.contains("SYNC_AGENT_SOCKET_PATH is the relative path \"agent.sock\"") == true)
        #expect(message?.contains("Set it to an absolute path") == true)
    }
}
