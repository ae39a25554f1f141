/// Unit names resolved to dense ids (0, 1, 2 … in the order first seen), for a bulk replay (``BulkReplay``).
///
/// An open-addressing table of ids hashed by the names' UTF-8 bytes (FNV-1a with a random seed, then a final mix),
/// names compared as bytes, as ``UnitKey`` compares them. A lookup hashes the name once and compares bytes only on
/// a full hash match: a replay resolves 1.5 million names, which a `Dictionary` keyed by ``UnitKey`` costs a
/// SipHash set-up and finish each.
struct UnitIds {
    /// By id: the name.
    private(set) var keys: [UnitKey] = []
    /// By id: the name's hash.
    private var hashes: [UInt64] = []
    /// Id + 1 in each used slot, 0 in a free one; its count is a power of two, at most half used.
    private var slots: [Int32] = Array(repeating: 0, count: 1024)
    private let seed = UInt64.random(in: .min ... .max)

    /// How many names have ids.
    var count: Int { keys.count }

    /// The id of `name`, if it has one.
    func id(of name: String) -> Int? {
        let hash = Self.hash(name, seed: seed)
        switch find(name, hash: hash) {
        case .found(let id): return id
        case .free: return nil
        }
    }

    /// The id of `name`, given a new one when it has none.
    mutating func intern(_ name: String) -> Int {
        intern(UnitKey(name))
    }

    /// The id of `key`, given a new one when it has none.
    mutating func intern(_ key: UnitKey) -> Int {
        let hash = Self.hash(key.name, seed: seed)
        switch find(key.name, hash: hash) {
        case .found(let id):
            return id
        case .free(let slot):
            let id = keys.count
            keys.append(key)
            hashes.append(hash)
            slots[slot] = Int32(id + 1)
            if keys.count * 2 > slots.count { grow() }
            return id
        }
    }

    private enum Place {
        case found(Int)
        case free(Int)
    }

    private func find(_ name: String, hash: UInt64) -> Place {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return .free(slot) }
            if hashes[entry - 1] == hash, sameBytes(keys[entry - 1].name, name) { return .found(entry - 1) }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(id + 1)
        }
        slots = bigger
    }

    /// FNV-1a over the name's UTF-8 bytes, started from `seed`, then the finish of MurmurHash3's 64-bit mix so
    /// that the low bits, which pick the slot, depend on every byte.
    private static func hash(_ name: String, seed: UInt64) -> UInt64 {
        var hash = seed ^ 0xcbf2_9ce4_8422_2325
        let done: Void? = name.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        if done == nil {
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}

/// Edges of a bulk replay found by their two ends' ids: an open-addressing table from the pair to the edge's index.
struct EdgeIds {
    /// The pair (dependent << 32 | dependency) in each used slot, `UInt64.max` in a free one.
    private var pairs: [UInt64] = Array(repeating: .max, count: 1024)
    /// The edge's index in the used slots.
    private var indexes: [Int32] = Array(repeating: 0, count: 1024)
    private(set) var count = 0

    /// The index of the edge `unit -> dependency`, or `new` (then recorded as its index) when there is none.
    /// - Returns: the index, and whether it is `new`.
    mutating func index(_ unit: Int, _ dependency: Int, new: Int) -> (index: Int, inserted: Bool) {
        let pair = UInt64(unit) << 32 | UInt64(dependency)
        let mask = pairs.count - 1
        var slot = Self.slot(pair, mask: mask)
        while pairs[slot] != .max {
            if pairs[slot] == pair { return (Int(indexes[slot]), false) }
            slot = (slot + 1) & mask
        }
        pairs[slot] = pair
        indexes[slot] = Int32(new)
        count += 1
        if count * 2 > pairs.count { grow() }
        return (new, true)
    }

    private static func slot(_ pair: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (pair &* 0x9e37_79b9_7f4a_7c15) >> 32) & mask
    }

    private mutating func grow() {
        var biggerPairs = [UInt64](repeating: .max, count: pairs.count * 2)
        var biggerIndexes = [Int32](repeating: 0, count: pairs.count * 2)
        let mask = biggerPairs.count - 1
        for (slot, pair) in pairs.enumerated() where pair != .max {
            var target = Self.slot(pair, mask: mask)
            while biggerPairs[target] != .max { target = (target + 1) & mask }
            biggerPairs[target] = pair
            biggerIndexes[target] = indexes[slot]
        }
        pairs = biggerPairs
        indexes = biggerIndexes
    }
}
