import SyncCore
import SyncProtocol

/// The journal holds only what the protocol could have produced: the loader checks every line with the rules the
/// agent applies to requests, so a file edited or damaged by hand is refused rather than served.
extension JournalReader {
    /// What is wrong with the names an event carries, if anything (the rules of ``UnitName``).
    static func nameProblem(in kind: SyncEvent.Kind) -> String? {
        // One name at a time, without an array: this runs for every line of a journal of millions.
        switch kind {
        case .registered(let unit), .statusChanged(let unit, _, _, _, _, _), .waitEnded(let unit, _),
            .noted(let unit, _), .readiness(let unit, _):
            return nameProblem(unit)
        case .dependencyAdded(let unit, let dependency, _):
            return nameProblem(unit) ?? nameProblem(dependency)
        case .waitBegan(let unit, let unsatisfied):
            return nameProblem(unit) ?? nameProblem(unsatisfied)
        }
    }

    /// What is wrong with a snapshot's names, if anything: invalid, registered twice, or an edge of a unit that is
    /// not registered.
    static func nameProblem(in snapshot: GraphSnapshot) -> String? {
        var registered = Set<UnitKey>()
        for unit in snapshot.units {
            if let problem = nameProblem([unit.name]) { return problem }
            guard registered.insert(UnitKey(unit.name)).inserted else {
                return "the snapshot lists unit \(goQuoted(unit.name)) twice"
            }
        }
        for edge in snapshot.edges {
            if let problem = nameProblem([edge.unit, edge.dependsOn]) { return problem }
            guard registered.contains(UnitKey(edge.unit)) else {
                return "the snapshot gives \(goQuoted(edge.unit)) a dependency, but does not register it"
            }
        }
        return nil
    }

    private static func nameProblem(_ names: [String]) -> String? {
        for name in names {
            if let problem = nameProblem(name) { return problem }
        }
        return nil
    }

    private static func nameProblem(_ name: String) -> String? {
        UnitName.problem(with: name).map { "it names an invalid unit: \($0)" }
    }

    /// What is wrong with applying `kind` to `graph`, if anything: a change no request could have made there.
    static func stateProblem(of kind: SyncEvent.Kind, in graph: UnitGraph) -> String? {
        switch kind {
        case .registered(let unit):
            return graph.isRegistered(unit) ? "it registers \(goQuoted(unit)) again" : nil
        case .dependencyAdded(let unit, _, _):
            return graph.isRegistered(unit)
                ? nil : "it adds a dependency to \(goQuoted(unit)), which is not registered"
        case .statusChanged(let unit, _, _, _, _, _):
            return graph.isRegistered(unit)
                ? nil : "it changes the status of \(goQuoted(unit)), which is not registered"
        case .noted(let unit, _):
            return graph.isRegistered(unit) ? nil : "it sets the note of \(goQuoted(unit)), which is not registered"
        case .readiness(let unit, _):
            guard let status = graph.status(of: unit) else {
                return "it reports the readiness of \(goQuoted(unit)), which is not registered"
            }
            return status == .started
                ? nil : "it reports the readiness of \(goQuoted(unit)), which is \(status.rawValue)"
        case .waitBegan, .waitEnded:
            return nil
        }
    }

    /// A loop in `edges`, as the names around it starting and ending with the same name (`["a", "b", "a"]`), or
    /// `nil`. One depth-first search over every edge, names compared as bytes.
    static func cycle(in edges: [DependencyEdge]) -> [String]? {
        var next: [UnitKey: [UnitKey]] = [:]
        var roots: [UnitKey] = []
        for edge in edges {
            let unit = UnitKey(edge.unit)
            if next[unit] == nil { roots.append(unit) }
            next[unit, default: []].append(UnitKey(edge.dependsOn))
        }
        // 1: on the current path; 2: everything below it searched.
        var state: [UnitKey: UInt8] = [:]
        for root in roots where state[root] == nil {
            var path = [root]
            var cursors = [0]
            state[root] = 1
            while let top = path.last {
                let children = next[top] ?? []
                let index = cursors[cursors.count - 1]
                guard index < children.count else {
                    state[top] = 2
                    path.removeLast()
                    cursors.removeLast()
                    continue
                }
                cursors[cursors.count - 1] += 1
                let child = children[index]
                switch state[child] {
                case 1:
                    let start = path.lastIndex(of: child)!
                    return (path[start...] + [child]).map(\.name)
                case 2:
                    continue
                default:
                    state[child] = 1
                    path.append(child)
                    cursors.append(0)
                }
            }
        }
        return nil
    }

    /// The line (1-based) at which the loop `cycle` closed: the last line that added one of its edges, the
    /// snapshot's line for an edge the snapshot holds.
    static func lineClosing(
        _ cycle: [String], in lines: [(offset: Int, bytes: UnsafeBufferPointer<UInt8>)], snapshotSequence: UInt64
    ) -> Int {
        var edges = Set<[UnitKey]>()
        for index in cycle.indices.dropLast() { edges.insert([UnitKey(cycle[index]), UnitKey(cycle[index + 1])]) }
        var closing = 1
        for (number, line) in lines.enumerated().dropFirst() {
            guard let json = try? JSON.parse(line.bytes) else { continue }
            if let snapshotJSON = json["snapshot"], let snapshot = GraphSnapshot(json: snapshotJSON) {
                if snapshot.edges.contains(where: { edges.contains([UnitKey($0.unit), UnitKey($0.dependsOn)]) }) {
                    closing = number + 1
                }
            } else if let event = SyncEvent(json: json), event.sequence > snapshotSequence,
                case .dependencyAdded(let unit, let dependency, _) = event.kind,
                edges.contains([UnitKey(unit), UnitKey(dependency)])
            {
                closing = number + 1
            }
        }
        return closing
    }
}
