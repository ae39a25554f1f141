import SyncCore

/// Why a unit is not running yet: the tree of its unsatisfied dependencies, followed down to the units that are
/// actually running, failed or missing. Built from a graph (usually a client's mirror of the agent's snapshot).
public struct WhyReport: Sendable, Equatable {
    /// One unit in the tree.
    public struct Node: Sendable, Equatable {
        public var unit: String
        /// `nil` when nobody registered it.
        public var status: UnitStatus?
        /// When it entered its status.
        public var since: Timestamp?
        /// The reason of a failed unit.
        public var reason: String?
        /// The cause of a skipped unit.
        public var cause: FailureCause?
        /// Its progress note, whatever its status.
        public var note: String?
        /// What its service waits for or took to become ready (``ReadinessText``); `nil` without a report.
        public var readiness: String? = nil
        /// Its dependencies are all satisfied (only meaningful when registered).
        public var isReady: Bool
        /// For a unit nobody registered: a registered name that is spelled almost the same.
        public var suggestion: String?
        /// The node was already shown higher in the tree; its dependencies are not repeated.
        public var isRepeated: Bool
        /// Its unsatisfied dependencies, sorted by name.
        public var waitingOn: [Node]
    }

    /// The unit asked about.
    public var root: Node

    /// Builds the report for `unit`.
    public init(unit: String, graph: UnitGraph) {
        var shown: Set<UnitKey> = []
        root = WhyReport.node(unit, graph: graph, shown: &shown)
        // The unit asked about gets its whole chain; the others keep their one link, so a report on a long
        // skipped chain stays proportional to the chain.
        if root.status == .skipped, root.cause != nil { root.cause = graph.failureCause(of: unit) }
    }

    private static func node(_ unit: String, graph: UnitGraph, shown: inout Set<UnitKey>) -> Node {
        let info = graph.info(unit)
        var node = Node(
            unit: unit, status: info?.status, since: info?.since, reason: info?.reason, cause: info?.cause,
            note: info?.note, isReady: graph.isReady(unit), suggestion: nil, isRepeated: false, waitingOn: [])
        node.readiness = info.flatMap(ReadinessText.describe)
        guard let info else {
            node.suggestion = suggestion(for: unit, among: graph.unitNames)
            return node
        }
        guard shown.insert(UnitKey(unit)).inserted else {
            node.isRepeated = true
            return node
        }
        // Follow what the unit waits for only while it has not run: a started or completed unit is where the
        // chain ends, and a failed one is the answer.
        if info.status == .pending || info.status == .skipped || shown.count == 1 {
            node.waitingOn = graph.unmetDependencies(of: unit).map {
                WhyReport.node($0.dependsOn, graph: graph, shown: &shown)
            }
        }
        return node
    }

    /// The closest registered name within an edit distance of 2 (1 for names of up to 4 characters), if any.
    public static func suggestion(for name: String, among candidates: [String]) -> String? {
        let limit = name.count <= 4 ? 1 : 2
        var best: (String, Int)?
        for candidate in candidates where !sameBytes(candidate, name) {
            let distance = editDistance(name, candidate)
            if distance <= limit, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        return best?.0
    }

    /// Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions and
    /// transpositions of neighbours (`gti` → `git` is 1).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
