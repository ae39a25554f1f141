/// A rank for every name in a ``UnitGraph`` such that each dependency ranks below all of its dependents, kept up
/// to date as edges are added (Pearce and Kelly's dynamic topological order; see `UnitGraph+Order.swift`).
///
/// Ranks are distinct integers, not dense: a new unit goes on top and a new dependency name at the bottom, where
/// either is in order at once, since nothing links to it yet.
struct TopologicalOrder: Sendable {
    private(set) var rank: [UnitKey: Int] = [:]
    private var lowest = 0
    private var highest = 0

    /// Ranks `name` above every other name, unless it has a rank.
    mutating func placeOnTop(_ name: UnitKey) {
        guard rank[name] == nil else { return }
        highest += 1
        rank[name] = highest
    }

    /// Ranks `name` below every other name, unless it has a rank.
    mutating func placeAtBottom(_ name: UnitKey) {
        guard rank[name] == nil else { return }
        lowest -= 1
        rank[name] = lowest
    }

    /// Gives the names of `lower` and `upper` the ranks they held between them, `lower` first, each group keeping
    /// its members' relative order.
    mutating func reorder(lower: [UnitKey], upper: [UnitKey]) {
        let byRank = { (a: UnitKey, b: UnitKey) in rank[a]! < rank[b]! }
        let names = lower.sorted(by: byRank) + upper.sorted(by: byRank)
        let ranks = names.map { rank[$0]! }.sorted()
        for (name, value) in zip(names, ranks) { rank[name] = value }
    }

    /// Replaces every rank with `ranks`: distinct values from 0 up to `count`, each dependency below its dependents.
    mutating func reset(ranks: [UnitKey: Int], count: Int) {
        rank = ranks
        lowest = 0
        highest = count
    }
}
