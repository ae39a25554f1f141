import ArgumentParser

struct Ping: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Test agent socket connectivity and health",
        discussion: """
            Test connectivity to the local agent socket to verify the agent is running and responsive. Useful for \
            troubleshooting startup issues or verifying the agent is accessible before running other sync commands.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: .hidden) var ignored: [String] = []

    private static let failurePrefix = "ping failed"

    func run() async throws {
        try await global.withClient(prefix: Self.failurePrefix) { try await $0.ping() }
        Output.line("Success")
    }
}

extension Ping: SingleThreadCommand {
    func runOnThisThread() throws -> Bool {
        guard try global.replyOnThisThread(prefix: Self.failurePrefix, to: .ping) != nil else { return false }
        Output.line("Success")
        return true
    }
}
