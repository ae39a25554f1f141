import Testing

@testable import SyncCore

/// The chain from a failed root to a skipped unit is stored as one link per unit and built when asked.
struct FailureChainTests {
    /// git <- repo <- claude <- ui, all pending.
    static func chain() throws -> UnitGraph {
        var graph = fixedGraph()
        try graph.want("repo", dependsOn: "git")
        try graph.want("claude", dependsOn: "repo")
        try graph.want("ui", dependsOn: "claude")
        return graph
    }

    @Test func errorsCarryTheWholeChain() throws {
        var graph = try Self.chain()
        try graph.fail("git", reason: "exit 128")
        let error = #expect(throws: SyncError.self) { try graph.start("ui", wait: nil) }
        #expect(error?.code == .dependencyFailed)
        #expect(error?.cause?.chain == ["git", "repo", "claude", "ui"])
        #expect(error?.message == #"ui cannot start: git failed ("exit 128"), via git -> repo -> claude -> ui"#)
        let waitError = #expect(throws: SyncError.self) { try graph.awaitCompletion(of: ["claude"], wait: WaitID(9)) }
        #expect(waitError?.code == .unitFailed)
        #expect(waitError?.cause?.chain == ["git", "repo", "claude"])
    }

    @Test func parkedStartsAreReleasedWithTheirWholeChain() throws {
        var graph = try Self.chain()
        try graph.park("ui", as: 1)
        try graph.park("claude", as: 2)
        try graph.fail("git", reason: nil)
        let chains = graph.drainResolutions().map { $0.error?.cause?.chain ?? [] }
        #expect(
            chains.sorted { $0.count < $1.count } == [["git", "repo", "claude"], ["git", "repo", "claude", "ui"]])
    }
}
