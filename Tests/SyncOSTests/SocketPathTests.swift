import Testing

@testable import SyncOS

import Glibc

/// A scratch directory under /tmp, removed with everything in it when the test ends.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/sync-agent-tests-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = try #require(made.map { String(cString: $0) })
    }

    deinit {
        _ = system("rm -rf '\(path)'")
    }

    /// Creates a subdirectory and returns its path.
    func directory(_ name: String) -> String {
        let full = path + "/" + name
        mkdir(full, 0o700)
        return full
    }
}

/// An environment made of a dictionary.
func environment(_ values: [String: String]) -> (String) -> String? {
    { values[$0] }
}

struct SocketPathTests {
    @Test func flagWinsOverEverything() throws {
        let scratch = try ScratchDirectory()
        let env = environment(["SYNC_AGENT_SOCKET_PATH": "/env/agent.sock", "XDG_RUNTIME_DIR": scratch.path])
        #expect(
            SocketPath.resolve(explicit: "/flag/agent.sock", environment: env)
                == SocketPath(path: "/flag/agent.sock", source: .flag))
    }

    @Test func environmentWinsOverTheRuntimeDirectory() throws {
        let scratch = try ScratchDirectory()
        let env = environment(["SYNC_AGENT_SOCKET_PATH": "/env/agent.sock", "XDG_RUNTIME_DIR": scratch.path])
        for explicit in [nil, ""] as [String?] {
            #expect(
                SocketPath.resolve(explicit: explicit, environment: env)
                    == SocketPath(path: "/env/agent.sock", source: .environment))
        }
    }

    @Test func ownRuntimeDirectoryWinsOverTheDefault() throws {
        let scratch = try ScratchDirectory()
        for runtime in [scratch.path, scratch.path + "/"] {
            let env = environment(["SYNC_AGENT_SOCKET_PATH": "", "XDG_RUNTIME_DIR": runtime])
            #expect(
                SocketPath.resolve(environment: env)
                    == SocketPath(path: scratch.path + "/sync-agent.sock", source: .runtimeDirectory))
        }
    }

    static let fallback = SocketPath(path: "/tmp/sync-agent-\(getuid())/agent.sock", source: .defaultDirectory)

    @Test func defaultWithoutAnyEnvironment() {
        #expect(SocketPath.resolve(environment: environment([:])) == Self.fallback)
        #expect(SocketPath.resolve(environment: environment(["XDG_RUNTIME_DIR": ""])) == Self.fallback)
        #expect(SocketPath.defaultDirectory == "/tmp/sync-agent-\(getuid())")
        #expect(Self.fallback.directory == SocketPath.defaultDirectory)
    }

    @Test func runtimeDirectoryThatIsMissingIsSkipped() throws {
        let scratch = try ScratchDirectory()
        let env = environment(["XDG_RUNTIME_DIR": scratch.path + "/missing"])
        #expect(SocketPath.resolve(environment: env) == Self.fallback)
    }

    @Test func runtimeDirectoryThatIsASymlinkIsSkipped() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.directory("real")
        let link = scratch.path + "/link"
        #expect(symlink(target, link) == 0)
        #expect(SocketPath.resolve(environment: environment(["XDG_RUNTIME_DIR": link])) == Self.fallback)
        #expect(SocketPath.resolve(environment: environment(["XDG_RUNTIME_DIR": target])).source == .runtimeDirectory)
    }

    @Test func runtimeDirectoryThatIsAFileIsSkipped() throws {
        let scratch = try ScratchDirectory()
        let file = scratch.path + "/file"
        let descriptor = open(file, O_CREAT | O_WRONLY, 0o600)
        #expect(descriptor >= 0)
        close(descriptor)
        #expect(SocketPath.resolve(environment: environment(["XDG_RUNTIME_DIR": file])) == Self.fallback)
    }

    /// The XDG Base Directory spec says to ignore a relative path; taking it would make the agent and a client
    /// started in another directory disagree about the socket. (The working directory of a test run is the
    /// user's own, so `.` would pass the ownership check.)
    @Test(arguments: [".", "./", "Sources/.."])
    func relativeRuntimeDirectoryIsSkipped(relative: String) {
        #expect(SocketPath.resolve(environment: environment(["XDG_RUNTIME_DIR": relative])) == Self.fallback)
    }

    @Test func runtimeDirectoryOfAnotherUserIsSkipped() throws {
        let scratch = try ScratchDirectory()
        let foreign: String
        if getuid() == 0 {
            foreign = scratch.directory("nobody")
            #expect(chown(foreign, 65_534, 65_534) == 0)
        } else {
            foreign = "/"  // owned by root
        }
        #expect(SocketPath.resolve(environment: environment(["XDG_RUNTIME_DIR": foreign])) == Self.fallback)
    }

    @Test(arguments: [
        ("/run/user/1000/sync-agent.sock", "/run/user/1000"),
        ("/agent.sock", "/"),
        ("agent.sock", "."),
        ("relative/dir/agent.sock", "relative/dir"),
    ])
    func directoryOfThePath(path: String, directory: String) {
        #expect(SocketPath(path: path, source: .flag).directory == directory)
        #expect(SocketPath(path: path, source: .flag).description == path)
    }

    @Test func sourcesNameWhereThePathCameFrom() {
        #expect(SocketPath.Source.flag.rawValue == "--socket-path")
        #expect(SocketPath.Source.environment.rawValue == SocketPath.environmentVariable)
        #expect(SocketPath.environmentVariable == "SYNC_AGENT_SOCKET_PATH")
    }
}
