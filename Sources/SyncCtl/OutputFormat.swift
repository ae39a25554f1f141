import ArgumentParser

/// `-o, --output`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

/// `-c, --column`: a comma-separated list of column names (repeatable), checked against the command's columns.
struct ColumnSelection: ParsableArguments {
    @Option(
        name: [.customShort("c"), .customLong("column")], parsing: .singleValue,
        help: ArgumentHelp("Columns to display in table output.", valueName: "columns"))
    var column: [String] = []

    /// The chosen columns in the order given, or `all` when none were given.
    func resolve(from all: [String]) throws -> [String] {
        let chosen = column.flatMap { $0.split(separator: ",") }.map {
            String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()).lowercased()
        }
        guard !chosen.isEmpty else { return all }
        for name in chosen where !all.contains(name) {
            throw CommandFailure(
                .usage, "unknown column \"\(name)\"; choose from: \(all.joined(separator: ", "))")
        }
        return chosen
    }
}
