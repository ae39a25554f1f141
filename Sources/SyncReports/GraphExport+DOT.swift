import SyncCore

/// The graph as Graphviz DOT.
extension GraphExport {
    /// The graph as a Graphviz digraph named `sync`: one box per unit, labelled with its name and status and
    /// filled with its status colour (an unregistered dependency dashed and white), and one edge per dependency,
    /// `"dependent" -> "dependency"`, labelled with the status it requires. Ids are the quoted unit names (quotes
    /// and backslashes escaped); a failed unit's reason is its tooltip; the focused unit has a thick border.
    /// Valid DOT for the empty graph too. Ends with a newline. Render with `dot -Tsvg`.
    public func dot(direction: Direction = .topDown) -> String {
        var lines = [
            "digraph sync {",
            "  rankdir=\(direction == .topDown ? "TB" : "LR");",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];",
            "  edge [fontname=\"Helvetica\", fontsize=10];",
        ]
        if !nodes.isEmpty { lines.append("") }
        for node in nodes {
            let colors = Palette(node.status)
            var attributes = [
                "label=\(dotQuoted(node.name + "\n" + node.status.display))",
                "fillcolor=\"\(colors.fill)\"", "color=\"\(colors.stroke)\"",
            ]
            if node.status == nil { attributes.append("style=\"rounded,dashed\"") }
            if node.name == focus { attributes.append("penwidth=3") }
            if node.status == .failed, let reason = node.reason, !reason.isEmpty {
                attributes.append("tooltip=\(dotQuoted(reason))")
            }
            lines.append("  \(dotQuoted(node.name)) [\(attributes.joined(separator: ", "))];")
        }
        if !edges.isEmpty { lines.append("") }
        for edge in edges {
            lines.append(
                "  \(dotQuoted(edge.unit)) -> \(dotQuoted(edge.dependsOn)) [label=\"\(edge.required.rawValue)\"];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A DOT string: `"`, `\` escaped, a newline as `\n` (a centred line break in a label).
    private func dotQuoted(_ text: String) -> String {
        "\"" + Self.replacing(text, ["\"": "\\\"", "\\": "\\\\", "\n": "\\n"]) + "\""
    }

    /// `text` with every character that `replacements` has replaced by its text.
    static func replacing(_ text: String, _ replacements: [Character: String]) -> String {
        text.reduce(into: "") { out, character in
            if let replacement = replacements[character] { out += replacement } else { out.append(character) }
        }
    }

    /// The colours of a status, shared by DOT and Mermaid: a light fill and a darker border of the same hue
    /// (grey pending, blue started, green completed, red failed, amber skipped, white for not registered).
    struct Palette {
        var fill: String
        var stroke: String

        init(_ status: UnitStatus?) {
            switch status {
            case .pending: (fill, stroke) = ("#e5e7eb", "#6b7280")
            case .started: (fill, stroke) = ("#bfdbfe", "#1d4ed8")
            case .completed: (fill, stroke) = ("#bbf7d0", "#15803d")
            case .failed: (fill, stroke) = ("#fecaca", "#b91c1c")
            case .skipped: (fill, stroke) = ("#fde68a", "#b45309")
            case nil: (fill, stroke) = ("#ffffff", "#6b7280")
            }
        }
    }
}
