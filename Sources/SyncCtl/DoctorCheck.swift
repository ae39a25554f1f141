import SyncProtocol

/// One finding of `syncctl doctor`: what was checked, the verdict, what was seen in plain words, what to do when
/// something is wrong, and the facts behind it for `-o json`.
struct DoctorCheck: Sendable, Equatable {
    /// How a check came out. Only `problem` makes doctor exit non-zero.
    enum Verdict: String, Sendable {
        /// As it should be.
        case ok
        /// Worth knowing, not wrong (no agent yet while autostart is on, state kept in memory only…).
        case note
        /// Something stops syncctl from working; `fix` says what to do.
        case problem
    }

    /// `socket`, `directory`, `agent`, `journal`, `limits`, `autostart`.
    var name: String
    var verdict: Verdict
    /// What was seen, in plain words.
    var summary: String
    /// What to do about it; always given for a `problem`.
    var fix: String?
    /// The facts behind the summary, for `-o json` (`null` where unknown).
    var facts: JSON

    init(_ name: String, _ verdict: Verdict, _ summary: String, fix: String? = nil, facts: [(String, JSON)]) {
        self.name = name
        self.verdict = verdict
        self.summary = summary
        self.fix = fix
        self.facts = .object(facts)
    }
}

/// Every check of one `syncctl doctor` run, as text or JSON.
struct DoctorReport: Sendable, Equatable {
    var checks: [DoctorCheck]

    /// Whether no check found a problem (doctor's exit status 0).
    var isHealthy: Bool { !checks.contains { $0.verdict == .problem } }

    /// One line per check (`ok       socket     …`), a `fix:` line under each that has one, then the verdict.
    var text: String {
        let width = (checks.map(\.name.count).max() ?? 0) + 2
        var lines: [String] = []
        for check in checks {
            let verdict = Self.padded(check.verdict.rawValue, to: 9)
            let name = Self.padded(check.name, to: width)
            lines.append(verdict + name + check.summary)
            if let fix = check.fix {
                lines.append(String(repeating: " ", count: 9 + width) + "fix: " + fix)
            }
        }
        let problems = checks.filter { $0.verdict == .problem }.count
        lines.append("")
        lines.append(
            problems == 0
                ? "No problems found."
                : "\(problems) problem\(problems == 1 ? "" : "s") found: see fix above.")
        return lines.joined(separator: "\n")
    }

    private static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// `{"healthy": bool, "checks": [{"name", "verdict", "summary", "fix", "facts"}, …]}` (docs/DOCTOR.md…).
    var json: JSON {
        .object([
            ("healthy", .bool(isHealthy)),
            (
                "checks",
                .array(
                    checks.map { check in
                        .object([
                            ("name", .string(check.name)), ("verdict", .string(check.verdict.rawValue)),
                            ("summary", .string(check.summary)), ("fix", check.fix.map(JSON.string) ?? .null),
                            ("facts", check.facts),
                        ])
                    })
            ),
        ])
    }
}
