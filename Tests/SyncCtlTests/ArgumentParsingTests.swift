import ArgumentParser
import Testing

@testable import SyncCtl

/// The command lines scripts write, parsed as syncctl parses them, and the usage errors (exit 2) of bad ones.
@Suite struct ArgumentParsingTests {
    static func parse<T: ParsableCommand>(_ arguments: [String], as: T.Type) throws -> T {
        try #require(try Syncctl.parseAsRoot(arguments) as? T)
    }

    /// What syncctl would print on stderr for `arguments` and the status it would exit with, when it refuses them
    /// before it reaches the agent; `nil` when it accepts them.
    static func refusal(_ arguments: [String]) throws -> (message: String, status: Int32)? {
        do {
            var command = try Syncctl.parseAsRoot(fast: arguments)
            try command.validate()
            return nil
        } catch {
            let report = try #require(Syncctl.failureReport(for: error), "\(error)")
            return (report.lines.joined(separator: "\n"), report.status.rawValue)
        }
    }

    @Test func startTakesATimeoutThatDefaultsToFiveMinutes() throws {
        #expect(
            try Self.parse(["start", "git"], as: Start.self).timeout == DurationArgument(nanoseconds: 300_000_000_000))
        let start = try Self.parse(["start", "git", "--timeout", "1h30m"], as: Start.self)
        #expect(start.timeout.duration == .seconds(5400))
        #expect(start.arguments == ["git"])
        #expect(try Self.parse(["start", "git", "--timeout", "0"], as: Start.self).timeout.duration == nil)
    }

    @Test func waitAndRunTakeTimeoutsToo() throws {
        #expect(try Self.parse(["wait", "a", "--timeout", "30s"], as: Wait.self).timeout.duration == .seconds(30))
        #expect(try Self.parse(["wait", "--all"], as: Wait.self).timeout.duration == nil)
        let run = try Self.parse(
            ["run", "claude", "--after", "git", "--after", "net", "--timeout", "2m", "--", "claude", "--resume"],
            as: Run.self)
        #expect(run.unit == "claude")
        #expect(run.dependencies == ["git", "net"])
        #expect(run.timeout.duration == .seconds(120))
        #expect(run.command == ["claude", "--resume"])
    }

    @Test(arguments: [
        ["start", "git", "--timeout=-5s"], ["wait", "a", "--timeout=-1m"], ["run", "u", "--timeout=-1s", "--", "true"],
    ])
    func aNegativeTimeoutIsAUsageError(arguments: [String]) throws {
        let refusal = try #require(try Self.refusal(arguments))
        #expect(refusal.status == 2)
        #expect(refusal.message.contains("a duration cannot be negative; use 0 for no limit"))
    }

    @Test func aTimeoutThatIsNotADurationSaysHowToWriteOne() throws {
        let refusal = try #require(try Self.refusal(["start", "git", "--timeout", "5 minutes"]))
        #expect(refusal.status == 2)
        #expect(refusal.message.contains("The value '5 minutes' is invalid for '--timeout <duration>'"))
        #expect(refusal.message.contains("write a duration such as 30s, 5m, 1h30m or 250ms (0: no limit)"))
    }

    @Test(arguments: [
        (["wait"], "give either units or --all"), (["wait", "a", "--all"], "give either units or --all"),
        (["run", "git"], "a command is required after --, e.g. syncctl run git -- git clone URL"),
        (["list", "--output", "yaml"], "The value 'yaml' is invalid for '--output <output>'"),
        (["graph", "--direction", "up"], "The value 'up' is invalid for '--direction"),
        (["frobnicate"], "Unexpected argument 'frobnicate'"),
        (["start", "a", "--timeout"], "Missing value for '--timeout"),
    ])
    func badCommandLinesAreUsageErrors(arguments: [String], message: String) throws {
        let refusal = try #require(try Self.refusal(arguments))
        #expect(refusal.status == 2)
        #expect(refusal.message.contains(message))
    }

    /// Arity is checked as coder checks it, in the command: exit 2 with coder's text.
    @Test func coderArityChecks() throws {
        #expect(throws: CommandFailure.self) { try Arity.exactlyOneUnit([]) }
        #expect(throws: CommandFailure.self) { try Arity.exactlyOneUnit(["a", "b"]) }
        #expect(try Arity.exactlyOneUnit(["a"]) == "a")
        do {
            try Arity.refuseEmptyNameAsStatus("")
            Issue.record("an empty name was accepted")
        } catch let failure as CommandFailure {
            #expect(failure.status == .refused)
            #expect(failure.message.hasPrefix("get status failed: "))
        }
    }

    @Test func outputFormatsAndColumnsParse() throws {
        let status = try Self.parse(["status", "u", "-o", "json", "-c", "satisfied"], as: Status.self)
        #expect(status.output == .json)
        #expect(status.columns.column == ["satisfied"])
        #expect(try Self.parse(["graph", "-o", "mermaid", "--direction", "lr"], as: Graph.self).output == .mermaid)
        #expect(try Self.parse(["watch", "--since", "0", "-o", "json"], as: Watch.self).since == 0)
        #expect(try Self.parse(["timeline", "--width", "100", "--ascii"], as: Timeline.self).width == 100)
    }
}
