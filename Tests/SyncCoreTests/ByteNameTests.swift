import Testing

@testable import SyncCore

/// Unit names are bytes of UTF-8: two spellings that Unicode calls canonically equivalent are two units.
struct ByteNameTests {
    /// `café` precomposed (U+00E9) and with a combining accent (e + U+0301).
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"
    /// `한` precomposed (U+D55C) and as conjoining jamo.
    static let hangul = "\u{D55C}"
    static let jamo = "\u{1112}\u{1161}\u{11AB}"

    @Test(arguments: [(nfc, nfd), (hangul, jamo)])
    func equivalentSpellingsAreTwoUnits(_ first: String, _ second: String) throws {
        #expect(first == second, "Swift calls them equal; the graph must not")
        var graph = fixedGraph()
        try graph.want(first, dependsOn: second)
        try graph.register(second)
        #expect(graph.unitCount == 2)
        #expect(graph.unitNames.count == 2)
        #expect(graph.dependencies(of: first).map(\.dependsOn).map { Array($0.utf8) } == [Array(second.utf8)])
        #expect(graph.dependents(of: first).isEmpty)
        try graph.startNow(second)
        try graph.complete(second)
        #expect(graph.status(of: second) == .completed)
        #expect(graph.status(of: first) == .pending)
        #expect(graph.isReady(first))
        let outcome = try graph.start(first, wait: nil)
        guard case .started = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(graph.status(of: first) == .started)
    }

    @Test func failureOfOneSpellingDoesNotReachTheOther() throws {
        var graph = fixedGraph()
        try graph.want("app", dependsOn: Self.nfc)
        try graph.fail(Self.nfd, reason: "boom")
        #expect(graph.status(of: "app") == .pending)
        #expect(graph.status(of: Self.nfc) == nil)
        try graph.want("app2", dependsOn: Self.nfd)
        #expect(graph.status(of: "app2") == .skipped)
    }

    @Test func completionWaitKeepsBothSpellings() throws {
        var graph = fixedGraph()
        let outcome = try graph.awaitCompletion(of: [Self.nfc, Self.nfd, Self.nfc], wait: WaitID(1))
        guard case .parked(let remaining) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(remaining.count == 2)
        try graph.startNow(Self.nfc)
        try graph.complete(Self.nfc)
        #expect(graph.drainResolutions().isEmpty, "the NFD spelling is not completed yet")
        try graph.startNow(Self.nfd)
        try graph.complete(Self.nfd)
        #expect(graph.drainResolutions().count == 1)
    }

    @Test func replayAndSnapshotKeepThemApart() throws {
        var graph = fixedGraph()
        try graph.want(Self.nfc, dependsOn: Self.nfd)
        try graph.register(Self.nfd)
        try graph.startNow(Self.nfd)
        try graph.register(Self.hangul)
        try graph.register(Self.jamo)
        try graph.fail(Self.jamo, reason: nil)
        var replayed = fixedGraph()
        for event in graph.drainEvents() { replayed.replay(event) }
        let loaded = UnitGraph(snapshot: graph.snapshot, clock: { fixedTime })
        for copy in [replayed, loaded] {
            #expect(copy.unitCount == 4)
            #expect(copy.status(of: Self.nfd) == .started)
            #expect(copy.status(of: Self.nfc) == .pending)
            #expect(copy.status(of: Self.jamo) == .failed)
            #expect(copy.status(of: Self.hangul) == .pending)
            #expect(copy.snapshot.edges.count == 1)
        }
    }

    /// `sameBytes` and `bytewise` compare eight bytes at a time: they must agree with a byte-by-byte comparison for
    /// every length around the word size, with differences at every offset, small (inline) and heap strings alike.
    @Test func wordWiseComparisonsAgreeWithByteByByte() {
        var random = SystemRandomNumberGenerator()
        let alphabet: [String] = ["a", "b", "z", "é", "\u{0}", "\u{7F}", "\u{FF}", "한"]
        var checked = 0
        for length in 0..<40 {
            for _ in 0..<30 {
                let base = (0..<length).map { _ in alphabet.randomElement(using: &random)! }.joined()
                var other = base
                if Bool.random(using: &random), !base.isEmpty {
                    var scalars = Array(base.unicodeScalars)
                    scalars[Int.random(in: 0..<scalars.count, using: &random)] = "b"
                    other = String(String.UnicodeScalarView(scalars))
                }
                if Bool.random(using: &random) { other += alphabet.randomElement(using: &random)! }
                for (a, b) in [(base, other), (other, base), (base, base)] {
                    #expect(sameBytes(a, b) == a.utf8.elementsEqual(b.utf8))
                    #expect(bytewise(a, b) == a.utf8.lexicographicallyPrecedes(b.utf8))
                    checked += 1
                }
            }
        }
        #expect(checked == 40 * 30 * 3)
    }

    /// `sortedBytewise` orders by the first 16 bytes as integers first: the same order as `sorted()` for names
    /// that share long prefixes, end in zero bytes, or begin one another.
    @Test func sortedBytewiseIsSorted() {
        var random = SystemRandomNumberGenerator()
        let pieces = ["fan-", "fan-1", "w-", "\u{0}", "é", "a", "b", "\u{FF}", "long-prefix-long-prefix-"]
        for _ in 0..<200 {
            var names = Set<UnitKey>()
            for _ in 0..<Int.random(in: 0..<60, using: &random) {
                let parts = (0..<Int.random(in: 0..<5, using: &random)).map { _ in pieces.randomElement(using: &random)!
                }
                names.insert(UnitKey(parts.joined() + String(Int.random(in: 0..<30, using: &random))))
            }
            let keys = Array(names)
            #expect(keys.sortedBytewise() == keys.sorted())
        }
        #expect([UnitKey]().sortedBytewise() == [])
        let awkward: [UnitKey] = ["ab\u{0}", "ab", "ab\u{0}c", "abc"]
        #expect(awkward.sortedBytewise().map(\.name) == ["ab", "ab\u{0}", "ab\u{0}c", "abc"])
    }
}
