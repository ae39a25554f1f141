import ArgumentParser

/// The plain forms scripts call most, recognised without ArgumentParser: `complete UNIT`, `want UNIT DEP...` and
/// `ping`, each with at most one `--socket-path PATH` and one `--no-autostart`. ArgumentParser reflects over the
/// whole command tree on every call, ~0.9 ms of a ~3.4 ms `syncctl` call (docs/BENCHMARKS.md); these commands are
/// built here instead and run exactly as if parsed. Anything else (another command, any other option or flag,
/// `--help`, an argument starting with `-`, an empty argument) goes to ArgumentParser as before.
enum FastPath {
    /// The command for `arguments` (without the program name), or `nil` to parse them the usual way.
    static func command(for arguments: [String]) -> (any ParsableCommand)? {
        var arguments = arguments
        var socketPath: String?
        if let flag = arguments.firstIndex(of: "--socket-path"), flag + 1 < arguments.count {
            socketPath = arguments[flag + 1]
            arguments.removeSubrange(flag...(flag + 1))
        }
        var noAutostart = false
        if let flag = arguments.firstIndex(of: "--no-autostart") {
            noAutostart = true
            arguments.remove(at: flag)
        }
        guard let name = arguments.first, arguments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") }) else {
            return nil
        }
        var global = GlobalOptions()
        global.socketPath = socketPath
        global.noAutostart = noAutostart
        let operands = Array(arguments.dropFirst())
        switch name {
        case "complete" where operands.count == 1:
            var command = Complete()
            command.global = global
            command.arguments = operands
            return command
        case "want" where operands.count >= 2:
            var command = Want()
            command.global = global
            command.arguments = operands
            return command
        case "ping" where operands.isEmpty:
            var command = Ping()
            command.global = global
            command.ignored = []
            return command
        default:
            return nil
        }
    }
}
