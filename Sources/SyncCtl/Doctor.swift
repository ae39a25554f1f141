import ArgumentParser

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the socket, the agent, its journal and limits, and say what to fix",
        usage: "syncctl doctor [-o text|json]",
        discussion: """
            Checks and explains: the socket path and where it came from (--socket-path, $SYNC_AGENT_SOCKET_PATH, \
            $XDG_RUNTIME_DIR or the default); its directory's owner and mode; whether an agent answers, with its \
            version, pid and instance; the journal's path, size and health (readable, last line complete, who \
            holds its lock); the limits in force; whether autostart is on and which sync-agent it would run.

            Each check says ok, note (worth knowing, not wrong) or problem, with a fix for each problem. Exits 0 \
            when no check found a problem, 1 otherwise (2 on a usage error). doctor never starts an agent.

            -o json prints the same checks as one object: {"healthy": BOOL, "checks": [{"name", "verdict", \
            "summary", "fix", "facts"}]} (docs/DOCTOR.md describes every check and its facts).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Output format.", valueName: "text|json"))
    var output: DoctorFormat = .text

    func run() async throws {
        let report = await DoctorReport.gather(socket: global.socket, autostart: global.autostart)
        switch output {
        case .text: Output.line(report.text)
        case .json: Output.line(report.json.pretty)
        }
        if !report.isHealthy { throw CommandExit(status: ExitStatus.refused.rawValue) }
    }
}

/// `syncctl doctor -o`.
enum DoctorFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
