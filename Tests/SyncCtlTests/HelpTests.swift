import ArgumentParser
import Testing

@testable import SyncCtl

/// Every command explains itself: `syncctl --help` and `syncctl <command> --help` are the manual.
@Suite struct HelpTests {
    static let commands = Syncctl.configuration.subcommands

    @Test func theCommandsAreTheDocumentedOnes() {
        #expect(
            Self.commands.map { $0.configuration.commandName ?? "?" } == [
                "complete", "doctor", "fail", "graph", "list", "note", "ping", "ready", "run", "start", "status",
                "timeline",
                "wait",
                "want", "watch", "why",
            ])
    }

    /// An explicit name also saves ArgumentParser deriving it through reflection on every call.
    @Test(arguments: commands.map { $0 as any ParsableCommand.Type })
    func everyCommandHasANameAnAbstractAndADiscussion(command: any ParsableCommand.Type) {
        let configuration = command.configuration
        #expect(configuration.commandName?.isEmpty == false)
        #expect(!configuration.abstract.isEmpty)
        #expect(!configuration.discussion.isEmpty)
    }

    @Test(arguments: commands.map { $0 as any ParsableCommand.Type })
    func everyCommandsHelpShowsItsUsageAndOptions(command: any ParsableCommand.Type) throws {
        let name = try #require(command.configuration.commandName)
        let help = Syncctl.helpMessage(for: command, columns: 120)
        #expect(help.contains(command.configuration.abstract))
        #expect(help.contains("USAGE: "))
        #expect(help.contains("syncctl \(name)") || help.contains("syncctl [\(name)]"))
        #expect(help.contains("--socket-path <path>"))
        #expect(help.contains("-h, --help"))
    }

    @Test func theRootHelpListsTheCommandsAndTheExitStatuses() {
        let help = Syncctl.helpMessage(columns: 120)
        for command in Self.commands {
            #expect(help.contains(command.configuration.commandName ?? "?"))
        }
        #expect(help.contains("EXIT STATUS:"))
        #expect(help.contains("124  timeout"))
        #expect(help.contains("--generate-completion-script"))
    }

    /// `--help` and `help <command>` print the command's help and exit 0, through ArgumentParser.
    @Test(arguments: [["--help"], ["start", "--help"], ["want", "-h"], ["help", "wait"]])
    func helpSucceedsWithTheHelpText(arguments: [String]) throws {
        var error: (any Error)?
        do {
            var command = try Syncctl.parseAsRoot(fast: arguments)
            try command.run()
        } catch let thrown {
            error = thrown
        }
        let thrown = try #require(error)
        #expect(Syncctl.failureReport(for: thrown) == nil)
        #expect(Syncctl.exitCode(for: thrown) == .success)
        #expect(Syncctl.fullMessage(for: thrown).contains("USAGE: syncctl"))
    }
}
