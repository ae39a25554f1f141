import Foundation
import SyncTestSupport
import Testing

/// The user units in contrib/systemd: systemd's own checker accepts them, and what they say (the socket's path and
/// mode, the service's command line) works: `systemd-socket-activate` run with exactly that, and a `syncctl` that
/// finds the socket where clients look by default, with nothing configured.
@Suite("contrib/systemd units")
struct SystemdUnitTests {
    private static let contrib = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("contrib/systemd").path

    /// The values of `key=` lines in a unit file.
    private func values(_ key: String, in unit: String) throws -> [String] {
        let text = try String(contentsOfFile: "\(Self.contrib)/\(unit)", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix(key + "=") ? String(line.dropFirst(key.count + 1)) : nil
        }
    }

    /// A home whose `~/.local/bin/sync-agent` is the built one (where the service looks) and a runtime directory
    /// (`%t`), both fresh.
    private func userDirectories() throws -> (home: TemporaryDirectory, runtime: TemporaryDirectory) {
        let home = TemporaryDirectory()
        let runtime = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: home.file(".local/bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: home.file(".local/bin/sync-agent"), withDestinationPath: Products.path("sync-agent"))
        return (home, runtime)
    }

    @Test func systemdAnalyzeVerifiesTheUnits() async throws {
        let (home, runtime) = try userDirectories()
        defer {
            home.remove()
            runtime.remove()
        }
        let result = try await RunningProcess.run(
            "/usr/bin/systemd-analyze",
            ["--user", "verify", "\(Self.contrib)/sync-agent.socket", "\(Self.contrib)/sync-agent.service"],
            environment: ["HOME": home.path, "XDG_RUNTIME_DIR": runtime.path])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr == "", "\(result)")
    }

    @Test func theUnitsCommandLineServesWhereClientsLookByDefault() async throws {
        #expect(try values("ListenStream", in: "sync-agent.socket") == ["%t/sync-agent.sock"])
        #expect(try values("SocketMode", in: "sync-agent.socket") == ["0600"])
        #expect(try values("Type", in: "sync-agent.service") == ["simple"])
        let execStart = try values("ExecStart", in: "sync-agent.service")
        #expect(execStart == ["%h/.local/bin/sync-agent"])
        let (home, runtime) = try userDirectories()
        defer {
            home.remove()
            runtime.remove()
        }
        let socket = "%t/sync-agent.sock".replacingOccurrences(of: "%t", with: runtime.path)
        let command = try #require(execStart.first).replacingOccurrences(of: "%h", with: home.path)
            .split(separator: " ").map(String.init)
        // A user manager gives its services XDG_RUNTIME_DIR; systemd-socket-activate passes only what -E names.
        let process = try RunningProcess(
            "/usr/bin/systemd-socket-activate", ["-l", socket, "-E", "XDG_RUNTIME_DIR=\(runtime.path)"] + command)
        await process.waitForOutput(containing: "Listening on")
        let environment = ["XDG_RUNTIME_DIR": runtime.path]
        let syncctl = Products.path("syncctl")
        for arguments in [["want", "web", "db"], ["start", "db"], ["complete", "db"], ["start", "web"]] {
            let result = try await RunningProcess.run(syncctl, arguments, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result)")
        }
        process.signal(SIGTERM)
        let result = await process.finish()
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("not where clients"), "\(result)")
        #expect(FileManager.default.fileExists(atPath: runtime.file("sync-agent.journal")))
    }
}
