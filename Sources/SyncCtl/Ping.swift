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

    func run() async throws {
        try await Self.ping(options: global)
    }

    /// What `ping` does, parsed by ArgumentParser or by ``FastPath``.
    static func ping(options: some ReachesAgent) async throws {
        try await options.withClient(prefix: "ping failed") { try await $0.ping() }
        Output.line("Success")
    }
}
