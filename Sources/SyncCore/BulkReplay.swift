/// The state of a bulk replay (see `UnitGraph+Replay.swift`) while it runs: every name a registration or an edge
/// brings resolved once to a dense id (``UnitIds``), each unit's record and each edge kept in arrays by id.
///
/// Applying an event then costs one cheap lookup per name, where the graph's dictionaries keyed by ``UnitKey`` cost
/// several SipHash lookups and their growth (half of a million-event replay). The graph's dictionaries are built
/// once at the end (``UnitGraph/endReplay()``), each at its final size.
struct BulkReplay {
    var ids = UnitIds()
    /// By id: the unit's record while it is registered.
    var records: [UnitGraph.UnitRecord?] = []
    /// By edge, in the order first added: its dependent, its dependency and the status required.
    var edgeUnit: [Int32] = []
    var edgeDependency: [Int32] = []
    var edgeRequired: [UnitStatus] = []
    var edges = EdgeIds()
    /// The graph's ``UnitGraph/edgeCount`` and ``UnitGraph/failureEpoch``, kept here until the end.
    var edgeCount: Int
    var failureEpoch: UInt64

    /// Takes the units and edges `graph` holds (a snapshot's, or none).
    init(from graph: UnitGraph) {
        edgeCount = graph.edgeCount
        failureEpoch = graph.failureEpoch
        for (key, record) in graph.units {
            let id = intern(key)
            records[id] = record
        }
        for (unit, dependencies) in graph.forward {
            for (dependency, required) in dependencies {
                addEdge(intern(unit), intern(dependency), required)
            }
        }
    }

    func status(of name: String) -> UnitStatus? {
        ids.id(of: name).flatMap { records[$0]?.status }
    }

    /// Applies `kind` as ``UnitGraph/apply(_:at:)`` does with neither the order nor the unmet counts kept.
    /// - Returns: `false` when it changed nothing because the event registers a unit already registered or changes
    ///   the status of a unit that is not registered.
    mutating func apply(_ kind: SyncEvent.Kind, at time: Timestamp) -> Bool {
        switch kind {
        case .registered(let name):
            let id = intern(UnitKey(name))
            guard records[id] == nil else { return false }
            records[id] = UnitGraph.UnitRecord(status: .pending, unmet: 0, registeredAt: time, since: time)
        case .dependencyAdded(let unit, let dependency, let required):
            let unitID = intern(UnitKey(unit))
            let dependencyID = intern(UnitKey(dependency))
            let (index, inserted) = edges.index(unitID, dependencyID, new: edgeUnit.count)
            if inserted {
                edgeUnit.append(Int32(unitID))
                edgeDependency.append(Int32(dependencyID))
                edgeRequired.append(required)
                edgeCount += 1
            } else if edgeRequired[index] != required {
                edgeRequired[index] = required
                failureEpoch += 1
            }
        case .statusChanged(let name, _, let to, let reason, let cause, let token):
            guard let id = ids.id(of: name), let from = records[id]?.status else { return false }
            if from.isFailure, from != to { failureEpoch += 1 }
            let rootFailed = cause.map { !sameBytes($0.root, name) && status(of: $0.root) == .failed } ?? false
            let doomedAt = to == .skipped && rootFailed ? failureEpoch : nil
            UnitGraph.change(
                &records[id]!, to: to, at: time, reason: reason, cause: cause, by: token, doomedAt: doomedAt)
        case .noted(let name, let note):
            guard let id = ids.id(of: name), records[id] != nil else { return true }
            records[id]!.note = note
        case .readiness(let name, let report):
            guard let id = ids.id(of: name), let startedAt = records[id]?.since else { return true }
            records[id]!.readiness = UnitReadiness(report: report, startedAt: startedAt)
        case .waitBegan, .waitEnded:
            break
        }
        return true
    }

    private mutating func intern(_ key: UnitKey) -> Int {
        let id = ids.intern(key)
        if id == records.count { records.append(nil) }
        return id
    }

    private mutating func addEdge(_ unit: Int, _ dependency: Int, _ required: UnitStatus) {
        _ = edges.index(unit, dependency, new: edgeUnit.count)
        edgeUnit.append(Int32(unit))
        edgeDependency.append(Int32(dependency))
        edgeRequired.append(required)
    }
}

/// The edges of a bulk replay grouped by one of their ends (a counting sort): the indexes of the edges of id `i`
/// are `members[starts[i]..<starts[i + 1]]`, in the order they were added.
struct EdgeGroups {
    let starts: [Int]
    let members: [Int32]

    init(by ends: [Int32], ids: Int) {
        var starts = [Int](repeating: 0, count: ids + 1)
        for end in ends { starts[Int(end) + 1] += 1 }
        for id in 0..<ids { starts[id + 1] += starts[id] }
        var next = starts
        var members = [Int32](repeating: 0, count: ends.count)
        for (edge, end) in ends.enumerated() {
            members[next[Int(end)]] = Int32(edge)
            next[Int(end)] += 1
        }
        self.starts = starts
        self.members = members
    }

    func count(of id: Int) -> Int { starts[id + 1] - starts[id] }

    func edges(of id: Int) -> ArraySlice<Int32> { members[starts[id]..<starts[id + 1]] }
}
