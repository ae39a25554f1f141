import ArgumentParser
import Testing

@testable import SyncCtl

/// `complete U`, `want U D…` and `ping` skip ArgumentParser; they must build exactly the command it would.
@Suite struct FastPathTests {
    @Test(arguments: [
        ["complete", "git"], ["want", "claude", "git"], ["want", "claude", "git", "net", "dotfiles"], ["ping"],
        ["complete", "git", "--socket-path", "/tmp/a.sock"], ["--socket-path", "/tmp/a.sock", "ping"],
        ["want", "--socket-path", "/tmp/a.sock", "claude", "git"], ["complete", "ünïcode name"],
        ["complete", "git", "--no-autostart"], ["--no-autostart", "want", "--socket-path", "/s", "claude", "git"],
    ])
    func buildsWhatArgumentParserBuilds(arguments: [String]) throws {
        let fast = try #require(FastPath.command(for: arguments))
        let parsed = try Syncctl.parseAsRoot(arguments)
        #expect(type(of: fast) == type(of: parsed))
        #expect(Self.fields(of: fast) == Self.fields(of: parsed))
        #expect(try type(of: Syncctl.parseAsRoot(fast: arguments)) == type(of: parsed))
    }

    @Test(arguments: [
        [], ["--help"], ["complete", "--help"], ["complete"], ["complete", "a", "b"], ["want", "claude"],
        ["ping", "extra"], ["status", "git"], ["start", "git"], ["list"], ["complete", ""], ["complete", "-x"],
        ["complete", "git", "--socket-path"], ["complete", "git", "--socket-path", "a", "--socket-path", "b"],
        ["complete", "git", "--version"], ["--version"], ["complete", "git", "-h"], ["help", "complete"],
        ["complete", "--", "git"], ["complete", "git", "--no-autostart", "--no-autostart"],
    ])
    func leavesEverythingElseToArgumentParser(arguments: [String]) {
        #expect(FastPath.command(for: arguments) == nil)
    }

    @Test func keepsTheSocketPathWhereverItIsGiven() throws {
        for arguments in [["--socket-path", "/s", "complete", "u"], ["complete", "--socket-path", "/s", "u"]] {
            let command = try #require(FastPath.command(for: arguments) as? Complete)
            #expect(command.global.socketPath == "/s")
            #expect(command.arguments == ["u"])
        }
        let ping = try #require(FastPath.command(for: ["ping"]) as? Ping)
        #expect(ping.global.socketPath == nil)
    }

    /// The fields the commands run with.
    static func fields(of command: any ParsableCommand) -> [String] {
        switch command {
        case let command as Complete: ["complete"] + global(command.global) + command.arguments
        case let command as Want: ["want"] + global(command.global) + command.arguments
        case let command as Ping: ["ping"] + global(command.global) + command.ignored
        default: ["\(type(of: command))"]
        }
    }

    static func global(_ options: GlobalOptions) -> [String] {
        [options.socketPath ?? "-", options.noAutostart ? "no-autostart" : "autostart"]
    }
}
