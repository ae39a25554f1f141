import SyncCore

/// The graph as a Mermaid flowchart.
extension GraphExport {
    /// The graph as a Mermaid `flowchart TD` (or `LR`): one node per unit, `id["name<br/>status"]`, one edge per
    /// dependency, `dependent -->|required status| dependency`, a `classDef` per status (the DOT colours; an
    /// unregistered dependency dashed) and `class` lines assigning them; the focused unit gets a thick border.
    /// Node ids come from ``mermaidIDs()``; labels escape `"`, `#`, `<`, `>` and `&` as Mermaid entities.
    /// Valid for the empty graph too. Ends with a newline. Paste into a Markdown ```` ```mermaid ```` block.
    public func mermaid(direction: Direction = .topDown) -> String {
        let ids = mermaidIDs()
        var lines = ["flowchart \(direction == .topDown ? "TD" : "LR")"]
        for node in nodes {
            lines.append("    \(ids[UnitKey(node.name)]!)[\"\(mermaidEscaped(node.name))<br/>\(node.status.display)\"]")
        }
        for edge in edges {
            let (from, to) = (ids[UnitKey(edge.unit)]!, ids[UnitKey(edge.dependsOn)]!)
            lines.append("    \(from) -->|\(edge.required.rawValue)| \(to)")
        }
        let statuses: [UnitStatus?] = UnitStatus.allCases + [nil]
        for status in statuses {
            let colors = Palette(status)
            let dash = status == nil ? ",stroke-dasharray:4 3" : ""
            let style = "fill:\(colors.fill),stroke:\(colors.stroke),color:#111827\(dash)"
            lines.append("    classDef \(Self.mermaidClass(status)) \(style)")
        }
        for status in statuses {
            let members = nodes.filter { $0.status == status }.map { ids[UnitKey($0.name)]! }
            guard !members.isEmpty else { continue }
            lines.append("    class \(members.joined(separator: ",")) \(Self.mermaidClass(status))")
        }
        if let focus, let id = ids[UnitKey(focus)] { lines.append("    style \(id) stroke-width:3px") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Mermaid node id for every node: `u_` followed by the name with each character outside `[A-Za-z0-9_]`
    /// replaced by `_` (`git clone` and `git.clone` both read `u_git_clone`). The prefix keeps ids clear of
    /// Mermaid's keywords (`end`, `graph`) and of a leading `o` or `x` that would change an arrow. Names that
    /// collide get `_2`, `_3`… in name order, so the mapping depends only on the set of names.
    public func mermaidIDs() -> [UnitKey: String] {
        var ids: [UnitKey: String] = [:]
        var taken: Set<String> = []
        for name in names {
            let base =
                "u_"
                + String(
                    name.unicodeScalars.map { scalar -> Character in
                        scalar.isASCII
                            && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
                            ? Character(scalar) : "_"
                    })
            var id = base
            var suffix = 2
            while !taken.insert(id).inserted {
                id = "\(base)_\(suffix)"
                suffix += 1
            }
            ids[UnitKey(name)] = id
        }
        return ids
    }

    /// `pending`, …, `skipped`, or `unregistered`.
    private static func mermaidClass(_ status: UnitStatus?) -> String { status?.rawValue ?? "unregistered" }

    /// A label's text with the characters Mermaid would read as syntax written as entities.
    private func mermaidEscaped(_ text: String) -> String {
        Self.replacing(text, ["\"": "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;"])
    }
}
