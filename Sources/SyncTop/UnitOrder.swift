import SyncCore

/// The rows of the units table in their order, kept up to date event by event, so that drawing a frame or moving
/// the cursor costs what it shows (a screen of rows, a binary search), not a sort of the whole graph.
///
/// It holds one entry per row of ``DashboardModel/unitRows`` (every registered unit, and every dependency nobody
/// registered) in the same order, for the status and name sorts without a filter: failures pinned first, then by
/// the sort key, ties by name A to Z. The wait, run and changed sorts depend on the clock or on every row, and the
/// filter on text: those sort the entries' names and statuses (see ``UnitTable``). The entries are held in blocks of
/// at most ``maxBlock``, so an update costs two binary searches and a move within one block, whatever the number of
/// rows.
struct UnitOrder: Sendable {
    /// One row: its name, and its status (`nil` for a dependency nobody registered).
    struct Entry: Sendable {
        var name: String
        var status: UnitStatus?
    }

    let sortKey: SortKey
    let ascending: Bool
    /// The entries in order, in consecutive blocks, none empty.
    private var blocks: [[Entry]] = []
    /// The index of each block's first entry.
    private var starts: [Int] = []
    /// Number of entries.
    private(set) var count = 0
    /// A block that grows past this is split in two.
    static let maxBlock = 512
    /// The status of each row's entry (`.some(nil)` for a dependency nobody registered).
    private var rows: [UnitKey: UnitStatus?] = [:]
    /// Registered units per status, and the dependencies nobody registered.
    private(set) var byStatus: [UnitStatus: Int] = [:]
    private(set) var unregistered = 0
    /// Rows per terminal width of their name, for the name column's width.
    private var nameWidths: [Int: Int] = [:]

    /// Whether the order can be kept for `sortKey`.
    static func supports(_ sortKey: SortKey) -> Bool { sortKey == .status || sortKey == .name }

    /// The order of every row of `graph`.
    init(graph: UnitGraph, sortKey: SortKey, ascending: Bool) {
        precondition(Self.supports(sortKey))
        self.sortKey = sortKey
        self.ascending = ascending
        var entries = graph.unitNames.map { Entry(name: $0, status: graph.status(of: $0)) }
        entries += graph.unregisteredDependencies.map { Entry(name: $0, status: nil) }
        for entry in entries {
            tally(entry, by: 1)
            rows[UnitKey(entry.name)] = .some(entry.status)
        }
        let sorted = entries.sorted(by: precedes)
        let size = Self.maxBlock / 2
        blocks = stride(from: 0, to: sorted.count, by: size).map { Array(sorted[$0..<min(sorted.count, $0 + size)]) }
        count = sorted.count
        renumber(from: 0)
    }

    /// The entry at `index` (`0..<count`).
    subscript(index: Int) -> Entry {
        let block = self.block(containing: index)
        return blocks[block][index - starts[block]]
    }

    /// Every entry, in order.
    var entries: [Entry] { Array(blocks.joined()) }

    /// Brings the row of `name` up to date with `graph`: it appears, moves or (never, in practice) goes.
    mutating func update(_ name: String, in graph: UnitGraph) {
        let key = UnitKey(name)
        let status: UnitStatus?? =
            graph.status(of: name).map { .some($0) } ?? (graph.dependentCount(of: name) > 0 ? .some(nil) : nil)
        let old = rows[key]
        guard old != status else { return }
        if let old {
            let entry = Entry(name: name, status: old)
            let (block, offset) = position(of: entry)
            blocks[block].remove(at: offset)
            if blocks[block].isEmpty { blocks.remove(at: block) }
            count -= 1
            renumber(from: block)
            tally(entry, by: -1)
        }
        if let status {
            let entry = Entry(name: name, status: status)
            var (block, offset) = position(of: entry)
            if blocks.isEmpty {
                blocks = [[]]
            } else if block == blocks.count {
                // After the last entry: at the end of the last block.
                block -= 1
                offset = blocks[block].count
            }
            blocks[block].insert(entry, at: offset)
            if blocks[block].count > Self.maxBlock {
                let half = blocks[block].count / 2
                blocks.insert(Array(blocks[block][half...]), at: block + 1)
                blocks[block].removeSubrange(half...)
            }
            count += 1
            renumber(from: block)
            tally(entry, by: 1)
        }
        rows[key] = status
    }

    /// The index of the row of `name`, if it has one.
    func index(of name: String) -> Int? {
        guard let status = rows[UnitKey(name)] else { return nil }
        let (block, offset) = position(of: Entry(name: name, status: status))
        return block == blocks.count ? count : starts[block] + offset
    }

    /// The widest name, in terminal columns (0 without rows).
    var widestName: Int { nameWidths.keys.max() ?? 0 }

    /// The widest status shown, in terminal columns (0 without rows).
    var widestStatus: Int {
        let shown: [UnitStatus?] = byStatus.keys.map { $0 } + (unregistered > 0 ? [nil] : [])
        return shown.map { $0.display.terminalWidth }.max() ?? 0
    }

    /// Failures first, then the sort key, ties by name A to Z: the order of ``DashboardModel/unitRows``.
    func precedes(_ a: Entry, _ b: Entry) -> Bool {
        let (pinnedA, pinnedB) = (a.status?.isFailure ?? false, b.status?.isFailure ?? false)
        if pinnedA != pinnedB { return pinnedA }
        if sortKey == .status {
            let (rankA, rankB) = (DashboardModel.attentionRank(a.status), DashboardModel.attentionRank(b.status))
            if rankA != rankB { return ascending ? rankA < rankB : rankA > rankB }
        } else if !ascending {
            return bytewise(b.name, a.name)
        }
        return bytewise(a.name, b.name)
    }

    /// Where the first entry that does not precede `entry` is: its block and its offset in it; the block is
    /// `blocks.count` when every entry precedes it.
    private func position(of entry: Entry) -> (block: Int, offset: Int) {
        var (low, high) = (0, blocks.count)
        while low < high {
            let middle = (low + high) / 2
            if precedes(blocks[middle][blocks[middle].count - 1], entry) { low = middle + 1 } else { high = middle }
        }
        guard low < blocks.count else { return (low, 0) }
        let block = blocks[low]
        var (first, last) = (0, block.count)
        while first < last {
            let middle = (first + last) / 2
            if precedes(block[middle], entry) { first = middle + 1 } else { last = middle }
        }
        return (low, first)
    }

    /// The block that holds entry `index`.
    private func block(containing index: Int) -> Int {
        var (low, high) = (0, starts.count)
        while high - low > 1 {
            let middle = (low + high) / 2
            if starts[middle] <= index { low = middle } else { high = middle }
        }
        return low
    }

    /// Brings ``starts`` up to date from block `first` on.
    private mutating func renumber(from first: Int) {
        starts.removeSubrange(min(first, starts.count)...)
        var start = first == 0 ? 0 : starts[first - 1] + blocks[first - 1].count
        for block in blocks[min(first, blocks.count)...] {
            starts.append(start)
            start += block.count
        }
    }

    private mutating func tally(_ entry: Entry, by delta: Int) {
        if let status = entry.status {
            byStatus[status, default: 0] += delta
            if byStatus[status] == 0 { byStatus[status] = nil }
        } else {
            unregistered += delta
        }
        let width = entry.name.terminalWidth
        nameWidths[width, default: 0] += delta
        if nameWidths[width] == 0 { nameWidths[width] = nil }
    }
}
