import Testing

@testable import SyncCore
@testable import SyncProtocol

/// A skipped unit's cause travels in events, `list` and `status` as one link (`via`); errors keep the whole chain;
/// journals written with a whole chain in every event still load.
struct FailureCauseJSONTests {
    @Test func compactAndFullForms() {
        let compact = FailureCause(root: "git", reason: "exit 128", via: "repo")
        #expect(compact.json.compact == #"{"root":"git","reason":"exit 128","via":"repo"}"#)
        #expect(FailureCause(json: compact.json) == compact)
        let full = FailureCause(root: "git", reason: nil, chain: ["git", "repo", "claude"])
        #expect(full.json.compact == #"{"root":"git","reason":null,"chain":["git","repo","claude"]}"#)
        #expect(FailureCause(json: full.json) == full)
        #expect(full.via == "repo" && full.compact == FailureCause(root: "git", reason: nil, via: "repo"))
    }

    @Test func journalLinesWithAWholeChainStillLoad() throws {
        let lines = [
            #"{"seq":1,"time_us":1,"kind":"registered","unit":"repo"}"#,
            #"{"seq":2,"time_us":2,"kind":"dependency_added","unit":"repo","depends_on":"git","required":"completed"}"#,
            #"{"seq":3,"time_us":3,"kind":"registered","unit":"claude"}"#,
            #"{"seq":4,"time_us":4,"kind":"dependency_added","unit":"claude","depends_on":"repo","required":"completed"}"#,
            #"{"seq":5,"time_us":5,"kind":"registered","unit":"git"}"#,
            #"{"seq":6,"time_us":6,"kind":"status_changed","unit":"git","from":"pending","to":"failed","reason":"x","cause":null}"#,
            #"{"seq":7,"time_us":7,"kind":"status_changed","unit":"repo","from":"pending","to":"skipped","reason":null,"cause":{"root":"git","reason":"x","chain":["git","repo"]}}"#,
            #"{"seq":8,"time_us":8,"kind":"status_changed","unit":"claude","from":"pending","to":"skipped","reason":null,"cause":{"root":"git","reason":"x","chain":["git","repo","claude"]}}"#,
        ]
        var graph = UnitGraph(clock: { Timestamp(microseconds: 9) })
        for line in lines {
            graph.replay(try #require(SyncEvent(json: try JSON.parse(line))))
        }
        #expect(graph.info("claude")?.cause == FailureCause(root: "git", reason: "x", via: "repo"))
        #expect(graph.failureCause(of: "claude").chain == ["git", "repo", "claude"])
        let listed = try #require(graph.info("claude")?.json.compact)
        #expect(listed.contains(#""cause":{"root":"git","reason":"x","via":"repo"}"#))
    }

    /// Failing the root of a chain of n units writes O(n) bytes of events, not O(n²).
    @Test func chainFailureEventsGrowLinearly() throws {
        let n = 2_000
        var graph = UnitGraph(clock: { Timestamp(microseconds: 1) })
        for index in 1..<n {
            try graph.want("unit-\(index)", dependsOn: "unit-\(index - 1)")
        }
        _ = graph.drainEvents()
        try graph.fail("unit-0", reason: "exit 1")
        let bytes = graph.drainEvents().reduce(0) { $0 + $1.json.compact.utf8.count }
        #expect(bytes < 250 * n)
        let listed = graph.allUnits.reduce(0) { $0 + $1.json.compact.utf8.count }
        #expect(listed < 300 * n)
    }
}
