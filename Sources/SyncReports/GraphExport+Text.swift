import SyncCore

/// The graph as an indented tree, for people.
extension GraphExport {
    /// The graph as a tree: each unit nothing depends on starts a tree at the left margin, and every unit is
    /// followed, one level deeper, by its dependencies (sorted by name), with `├──`/`└──` branches like `why`.
    /// Each line is `name  glyph status`, plus the reason of a failed unit or the root cause of a skipped one; a
    /// dependency nobody registered shows `? not registered`. A unit reached a second time is marked `(see above)`
    /// and its dependencies are not repeated. The empty graph is `No units registered`. Ends with a newline.
    public func text() -> String {
        guard !nodes.isEmpty else { return "No units registered\n" }
        var lines: [String] = []
        var shown: Set<UnitKey> = []
        func walk(_ name: String, branch: String, indent: String) {
            let isRepeated = !shown.insert(UnitKey(name)).inserted
            lines.append(branch + describe(name) + (isRepeated ? " (see above)" : ""))
            guard !isRepeated else { return }
            let children = dependencies(of: name)
            for (i, edge) in children.enumerated() {
                let isLast = i == children.count - 1
                let (connector, continuation) = isLast ? ("└── ", "    ") : ("├── ", "│   ")
                walk(edge.dependsOn, branch: indent + connector, indent: indent + continuation)
            }
        }
        for root in roots { walk(root, branch: "", indent: "") }
        // Only a cycle (which the agent refuses) could leave units without a root above them; show them anyway.
        for node in nodes where !shown.contains(UnitKey(node.name)) { walk(node.name, branch: "", indent: "") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `claude  ● started`, `deps-install  ✘ failed ("exit 1")`, `dev-server  ⊘ skipped: deps-install failed`.
    private func describe(_ name: String) -> String {
        let node = node(name)!
        return "\(name)  " + node.status.label(ascii: false, reason: node.reason, cause: node.cause)
    }
}

extension Optional where Wrapped == UnitStatus {
    /// The status glyph every view draws: `✔`, `●`, `◌`, `✘`, `⊘`, `?` for an unregistered unit, or in ASCII `+`,
    /// `*`, `o`, `x`, `-`, `?`. Always shown beside the word, so colour and glyph are never the only signal.
    public func glyph(ascii: Bool) -> String {
        switch self {
        case .completed: ascii ? "+" : "✔"
        case .started: ascii ? "*" : "●"
        case .pending: ascii ? "o" : "◌"
        case .failed: ascii ? "x" : "✘"
        case .skipped: ascii ? "-" : "⊘"
        case nil: "?"
        }
    }

    /// The glyph and the word, plus the reason of a failed unit or the root of a skipped one's cause:
    /// `● started`, `✘ failed ("exit 1")`, `⊘ skipped: deps-install failed`, `? not registered`.
    func label(ascii: Bool, reason: String?, cause: FailureCause?) -> String {
        var text = "\(glyph(ascii: ascii)) \(display)"
        if self == .failed, let reason, !reason.isEmpty {
            text += " (\(goQuoted(reason)))"
        } else if self == .skipped, let cause {
            text += ": \(cause.root) failed"
        }
        return text
    }
}
