import SyncCore

/// The dependency graph prepared for export: every unit with its status, the dependencies nobody registered, and the
/// edges between them, optionally narrowed to one unit's upstream and downstream. The data behind `syncctl graph`;
/// it renders itself as an indented tree (``text()``), Graphviz DOT (``dot(direction:)``) and Mermaid
/// (``mermaid(direction:)``). Pure and deterministic: nodes sorted bytewise by name, edges by unit then dependency.
public struct GraphExport: Sendable, Equatable {
    /// One unit of the graph, registered or only named as a dependency.
    public struct Node: Sendable, Equatable {
        /// The unit's name.
        public var name: String
        /// Its status; `nil` when nobody registered it (a dependency named before it exists).
        public var status: UnitStatus?
        /// Every dependency has its required status (an unregistered unit is ready, as coder).
        public var isReady: Bool
        /// The reason given to `fail`, while the unit is `failed`.
        public var reason: String?
        /// Why the unit was skipped, while it is `skipped`.
        public var cause: FailureCause?

        public init(
            name: String, status: UnitStatus?, isReady: Bool = true, reason: String? = nil, cause: FailureCause? = nil
        ) {
            self.name = name
            self.status = status
            self.isReady = isReady
            self.reason = reason
            self.cause = cause
        }
    }

    /// Layout direction for DOT and Mermaid.
    public enum Direction: String, Sendable, CaseIterable {
        /// Dependents above their dependencies (DOT `rankdir=TB`, Mermaid `TD`).
        case topDown = "td"
        /// Dependents left of their dependencies (DOT `rankdir=LR`, Mermaid `LR`).
        case leftToRight = "lr"
    }

    /// Every unit, registered units and unregistered dependencies alike, sorted bytewise by name.
    public private(set) var nodes: [Node]
    /// Every edge between two of the ``nodes``, sorted by unit then dependency.
    public private(set) var edges: [DependencyEdge]
    /// The unit the export is narrowed to, or `nil` for the whole graph.
    public private(set) var focus: String?

    /// name -> index in `nodes`.
    private var index: [UnitKey: Int]
    /// unit -> its edges, sorted by dependency.
    private var forward: [UnitKey: [DependencyEdge]]
    /// dependency -> the units that depend on it, sorted.
    private var reverse: [UnitKey: [String]]

    /// The whole graph of `snapshot`: its units, the dependencies nobody registered, and all its edges.
    public init(snapshot: GraphSnapshot) {
        var nodes = snapshot.units.map {
            Node(name: $0.name, status: $0.status, isReady: $0.isReady, reason: $0.reason, cause: $0.cause)
        }
        let registered = Set(snapshot.units.map { UnitKey($0.name) })
        let missing = Set(snapshot.edges.map { UnitKey($0.dependsOn) }.filter { !registered.contains($0) })
        nodes += missing.map { Node(name: $0.name, status: nil) }
        self.init(nodes: nodes, edges: snapshot.edges, focus: nil)
    }

    private init(nodes: [Node], edges: [DependencyEdge], focus: String?) {
        self.nodes = nodes.sorted { bytewise($0.name, $1.name) }
        self.edges = edges.sorted {
            !sameBytes($0.unit, $1.unit) ? bytewise($0.unit, $1.unit) : bytewise($0.dependsOn, $1.dependsOn)
        }
        self.focus = focus
        index = Dictionary(
            self.nodes.enumerated().map { (UnitKey($1.name), $0) }, uniquingKeysWith: { first, _ in first })
        forward = Dictionary(grouping: self.edges, by: { UnitKey($0.unit) })
        reverse = Dictionary(grouping: self.edges, by: { UnitKey($0.dependsOn) }).mapValues { $0.map(\.unit) }
    }

    /// The part of the graph that concerns `unit`: the unit, everything it depends on (transitively), everything
    /// that depends on it (transitively), and the edges among them. `nil` when `unit` is not in the graph (neither
    /// registered nor named as a dependency); ``names`` are the candidates for a suggestion.
    public func focused(on unit: String) -> GraphExport? {
        guard index[UnitKey(unit)] != nil else { return nil }
        var kept: Set<UnitKey> = [UnitKey(unit)]
        func follow(_ next: (String) -> [String]) {
            var queue = [unit]
            while let current = queue.popLast() {
                for other in next(current) where kept.insert(UnitKey(other)).inserted { queue.append(other) }
            }
        }
        follow { dependencies(of: $0).map(\.dependsOn) }
        follow { dependents(of: $0) }
        return GraphExport(
            nodes: nodes.filter { kept.contains(UnitKey($0.name)) },
            edges: edges.filter { kept.contains(UnitKey($0.unit)) && kept.contains(UnitKey($0.dependsOn)) },
            focus: unit)
    }

    /// The names of all nodes, sorted bytewise.
    public var names: [String] { nodes.map(\.name) }

    /// The node called `name`, or `nil`.
    public func node(_ name: String) -> Node? { index[UnitKey(name)].map { nodes[$0] } }

    /// The edges from `unit` to its dependencies, sorted by dependency.
    public func dependencies(of unit: String) -> [DependencyEdge] { forward[UnitKey(unit)] ?? [] }

    /// The units that depend on `unit`, sorted.
    public func dependents(of unit: String) -> [String] { reverse[UnitKey(unit)] ?? [] }

    /// The units nothing depends on, sorted: where the tree starts.
    public var roots: [String] { names.filter { reverse[UnitKey($0)] == nil } }
}
