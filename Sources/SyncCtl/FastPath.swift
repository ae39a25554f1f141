import ArgumentParser

/// The plain forms scripts call most, recognised without ArgumentParser: `complete UNIT`, `want UNIT DEP...` and
/// `ping`, each with at most one `--socket-path PATH` and one `--no-autostart`. ArgumentParser reflects over the
/// whole command tree on every call (~0.9 ms of a ~3.4 ms `syncctl` call), and even building its command values
/// (`Complete()`, `GlobalOptions()`) runs property-wrapper initialisers whose protocol-conformance lookups cost
/// ~0.6 ms (docs/BENCHMARKS.md); these commands run from plain values instead, through the same code as when
/// parsed. Anything else (another command, any other option or flag, `--help`, an argument starting with `-`, an
/// empty argument) goes to ArgumentParser as before.
enum FastPath {
    /// A command recognised here, with what it runs with.
    enum Command: Equatable {
        case complete(String, AgentOptions)
        case want(String, dependsOn: [String], AgentOptions)
        case ping(AgentOptions)

        /// Runs the command exactly as the parsed one runs.
        func run() async throws {
            switch self {
            case .complete(let unit, let options): try await Complete.complete(unit, options: options)
            case .want(let unit, let dependencies, let options):
                try await Want.want(unit, dependsOn: dependencies, options: options)
            case .ping(let options): try await Ping.ping(options: options)
            }
        }

        /// The same command as ArgumentParser's value (what the tests compare with a parse of the same arguments).
        var parsed: any ParsableCommand {
            var global = GlobalOptions()
            switch self {
            case .complete(let unit, let options):
                global.set(options)
                var command = Complete()
                command.global = global
                command.arguments = [unit]
                return command
            case .want(let unit, let dependencies, let options):
                global.set(options)
                var command = Want()
                command.global = global
                command.arguments = [unit] + dependencies
                return command
            case .ping(let options):
                global.set(options)
                var command = Ping()
                command.global = global
                command.ignored = []
                return command
            }
        }
    }

    /// The command for `arguments` (without the program name), or `nil` to parse them the usual way.
    static func command(for arguments: [String]) -> Command? {
        var arguments = arguments
        var options = AgentOptions()
        if let flag = arguments.firstIndex(of: "--socket-path"), flag + 1 < arguments.count {
            options.socketPath = arguments[flag + 1]
            arguments.removeSubrange(flag...(flag + 1))
        }
        if let flag = arguments.firstIndex(of: "--no-autostart") {
            options.noAutostart = true
            arguments.remove(at: flag)
        }
        guard let name = arguments.first, arguments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") }) else {
            return nil
        }
        let operands = Array(arguments.dropFirst())
        switch name {
        case "complete" where operands.count == 1: return .complete(operands[0], options)
        case "want" where operands.count >= 2:
            return .want(operands[0], dependsOn: Array(operands.dropFirst()), options)
        case "ping" where operands.isEmpty: return .ping(options)
        default: return nil
        }
    }
}

extension GlobalOptions {
    /// Takes the values of `options`.
    fileprivate mutating func set(_ options: AgentOptions) {
        socketPath = options.socketPath
        noAutostart = options.noAutostart
    }
}
